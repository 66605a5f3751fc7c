package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// mnIDX encodes an IDX file with type code typ, the given dimensions and
// data (not checked against the dimensions).
func mnIDX(typ byte, dims []int32, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, typ, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(data)
	return b.Bytes()
}

// mnGzip compresses b.
func mnGzip(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func mnRamp(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestReadIDX(t *testing.T) {
	img := mnIDX(8, []int32{2, 3, 4}, mnRamp(24))
	lbl := mnIDX(8, []int32{5}, []byte{0, 1, 2, 9, 4})
	tests := []struct {
		name     string
		file     []byte
		wantDims []int
		wantData []byte
	}{
		{"plain images", img, []int{2, 3, 4}, mnRamp(24)},
		{"gzipped images", mnGzip(img), []int{2, 3, 4}, mnRamp(24)},
		{"plain labels", lbl, []int{5}, []byte{0, 1, 2, 9, 4}},
		{"gzipped labels", mnGzip(lbl), []int{5}, []byte{0, 1, 2, 9, 4}},
		{"4-D", mnIDX(8, []int32{1, 2, 1, 2}, mnRamp(4)), []int{1, 2, 1, 2}, mnRamp(4)},
	}
	for _, tt := range tests {
		for _, size := range []int64{int64(len(tt.file)), -1} {
			dims, data, err := ReadIDX(bytes.NewReader(tt.file), size)
			if err != nil {
				t.Errorf("%s, size %d: ReadIDX: %v; want no error", tt.name, size, err)
				continue
			}
			if !reflect.DeepEqual(dims, tt.wantDims) {
				t.Errorf("%s, size %d: dims %v; want %v", tt.name, size, dims, tt.wantDims)
			}
			if !bytes.Equal(data, tt.wantData) {
				t.Errorf("%s, size %d: data %v; want %v", tt.name, size, data, tt.wantData)
			}
		}
	}
}

func TestReadIDXMalformed(t *testing.T) {
	good := mnIDX(8, []int32{2, 3, 4}, mnRamp(24))
	goodGz := mnGzip(good)
	badCRC := append([]byte(nil), goodGz...)
	badCRC[len(badCRC)-5] ^= 0xff // the CRC-32 in the gzip trailer
	tests := []struct {
		name string
		file []byte
		// unknownSize also runs the case with size -1.
		unknownSize bool
		want        string
	}{
		{"empty", nil, true, "magic number: unexpected EOF"},
		{"short magic", []byte{0, 0, 8}, true, "magic number: unexpected EOF"},
		{"bad magic", append([]byte{1, 2}, good[2:]...), true, "bad idx magic number 0x01020803"},
		{"float type", mnIDX(0x0D, []int32{2}, make([]byte, 8)), true, "idx type code 0x0d (float32) is not supported"},
		{"unknown type", mnIDX(0x42, []int32{2}, make([]byte, 2)), true, "idx type code 0x42 (unknown)"},
		{"zero dimensions", mnIDX(8, nil, mnRamp(3)), true, "idx header has 0 dimensions"},
		{"17 dimensions", mnIDX(8, make([]int32, 17), nil), true, "idx header has 17 dimensions"},
		{"short dimensions", good[:9], true, "reading 3 idx dimensions: unexpected EOF"},
		{"zero dimension", mnIDX(8, []int32{2, 0, 4}, nil), true, "idx dimension 1 is 0: want > 0"},
		{"negative dimension", mnIDX(8, []int32{-5}, nil), true, "idx dimension 0 is -5: want > 0"},
		{"data shorter than dims", mnIDX(8, []int32{2, 3, 4}, mnRamp(10)), true, "truncated: header claims 24 bytes, file has 10"},
		{"no data", mnIDX(8, []int32{7}, nil), true, "truncated: header claims 7 bytes, file has 0"},
		{"huge claim", mnIDX(8, []int32{1 << 30, 65536, 65536}, mnRamp(10)), true, "claim more than 1073741824 bytes"},
		{"max int32 claim", mnIDX(8, []int32{0x7fffffff, 0x7fffffff}, nil), true, "claim more than 1073741824 bytes"},
		{"just over the limit", mnIDX(8, []int32{1 << 15, 1<<15 + 1}, nil), true, "claim more than 1073741824 bytes"},
		{"trailing bytes", append(append([]byte(nil), good...), 1, 2, 3), true, "3 bytes of trailing data after the 24 bytes"},
		{"gzip truncated in data", goodGz[:len(goodGz)/2], true, "truncated: header claims 24 bytes, file has"},
		{"gzip without trailer", goodGz[:len(goodGz)-4], true, "after the 24 bytes of idx data: unexpected EOF"},
		{"gzip bad crc", badCRC, true, "gzip: invalid checksum"},
		{"gzip trailing data inside", mnGzip(append(append([]byte(nil), good...), 9, 9)), true, "2 bytes of trailing data"},
		{"short garbage after gzip", append(append([]byte(nil), goodGz...), "junk"...), true, "after the 24 bytes of idx data: unexpected EOF"},
		{"garbage after gzip", append(append([]byte(nil), goodGz...), "this is not a gzip member"...), true, "gzip: invalid header"},
		{"gzip header only", goodGz[:5], true, "gzip: unexpected EOF"},
		{"gzip huge claim", mnGzip(mnIDX(8, []int32{0x7fffffff, 0x7fffffff, 0x7fffffff}, nil)), true, "claim more than"},
		{"gzip claim under limit", mnGzip(mnIDX(8, []int32{1 << 14, 1 << 15}, mnRamp(100))), true, "truncated: header claims 536870912 bytes"},
	}
	for _, tt := range tests {
		sizes := []int64{int64(len(tt.file))}
		if tt.unknownSize {
			sizes = append(sizes, -1)
		}
		for _, size := range sizes {
			dims, data, err := ReadIDX(bytes.NewReader(tt.file), size)
			if err == nil {
				t.Errorf("%s, size %d: ReadIDX = %v, %d bytes, nil; want an error containing %q", tt.name, size, dims, len(data), tt.want)
				continue
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s, size %d: error %q; want it to contain %q", tt.name, size, err, tt.want)
			}
		}
	}
}

// TestReadIDXHugeClaimsCheap checks that files claiming huge sizes are
// refused quickly and without large allocations.
func TestReadIDXHugeClaimsCheap(t *testing.T) {
	files := map[string][]byte{
		"2^31 images of 65536x65536": mnIDX(8, []int32{0x7fffffff, 65536, 65536}, mnRamp(16)),
		"gzipped 512 MiB claim":      mnGzip(mnIDX(8, []int32{1 << 14, 1 << 15}, mnRamp(16))),
		"gzipped 1 GiB claim":        mnGzip(mnIDX(8, []int32{1 << 15, 1 << 15}, mnRamp(16))),
		"gzipped 2 GiB claim":        mnGzip(mnIDX(8, []int32{1 << 16, 1 << 15}, mnRamp(16))),
	}
	for name, file := range files {
		for _, size := range []int64{int64(len(file)), -1} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, _, err := ReadIDX(bytes.NewReader(file), size)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Errorf("%s, size %d: ReadIDX succeeded; want an error", name, size)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Errorf("%s, size %d: ReadIDX allocated %d bytes; want at most %d", name, size, alloc, 8<<20)
			}
			if elapsed > time.Second {
				t.Errorf("%s, size %d: ReadIDX took %v; want under 1s", name, size, elapsed)
			}
		}
	}
}

// Data after what the header claims, far more of it than ReadIDX counts
// (as in a gzip bomb: a small file that decompresses to gigabytes): it
// reads a bounded amount past the data and stops. The trailing data is
// stored, not compressed, so the bytes ReadIDX takes from the file show
// how far it read.
func TestReadIDXStopsAfterTrailingData(t *testing.T) {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.NoCompression)
	zw.Write(mnIDX(8, []int32{4}, []byte{1, 2, 3, 4}))
	zw.Write(make([]byte, 16<<20))
	zw.Close()
	for _, size := range []int64{int64(b.Len()), -1} {
		r := &countingReader{r: bytes.NewReader(b.Bytes())}
		_, _, err := ReadIDX(r, size)
		if err == nil || !strings.Contains(err.Error(), "more than 1048576 bytes of trailing data") {
			t.Errorf("size %d: ReadIDX with 16 MB of trailing data: %v; want it refused", size, err)
		}
		if r.n > 2<<20 {
			t.Errorf("size %d: ReadIDX read %d bytes of the file to refuse it; want about 1 MB", size, r.n)
		}
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestReadCappedGrows checks that the buffer grows past its first size and
// stops at the limit.
func TestReadCappedGrows(t *testing.T) {
	src := mnRamp(5000)
	for _, tt := range []struct {
		limit, initial int64
		want           int
	}{
		{5000, 1, 5000},
		{5000, 5000, 5000},
		{3000, 7, 3000},
		{9000, 100, 5000},
	} {
		got, err := readCapped(bytes.NewReader(src), tt.limit, tt.initial)
		if err != nil {
			t.Errorf("readCapped(limit %d, initial %d): %v", tt.limit, tt.initial, err)
			continue
		}
		if len(got) != tt.want || !bytes.Equal(got, src[:tt.want]) {
			t.Errorf("readCapped(limit %d, initial %d) read %d bytes; want the first %d", tt.limit, tt.initial, len(got), tt.want)
		}
		if int64(cap(got)) > tt.limit {
			t.Errorf("readCapped(limit %d, initial %d) has capacity %d; want at most the limit", tt.limit, tt.initial, cap(got))
		}
	}
}

func TestLoadIDX(t *testing.T) {
	dir := t.TempDir()
	good := mnIDX(8, []int32{2, 2}, []byte{1, 2, 3, 4})
	// A gzipped file with a plain name: gzip is detected by content.
	if err := os.WriteFile(filepath.Join(dir, "plain-name"), mnGzip(good), 0o644); err != nil {
		t.Fatal(err)
	}
	dims, data, err := LoadIDX(filepath.Join(dir, "plain-name"))
	if err != nil || !reflect.DeepEqual(dims, []int{2, 2}) || !bytes.Equal(data, []byte{1, 2, 3, 4}) {
		t.Errorf("LoadIDX(gzipped plain-name) = %v, %v, %v; want [2 2], [1 2 3 4], nil", dims, data, err)
	}

	bad := filepath.Join(dir, "bad.idx")
	if err := os.WriteFile(bad, good[:14], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadIDX(bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("LoadIDX(truncated file) error %v; want one naming %s and saying truncated", err, bad)
	}
	missing := filepath.Join(dir, "missing.idx")
	if _, _, err := LoadIDX(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("LoadIDX(missing file) error %v; want one naming %s", err, missing)
	}
}

func FuzzReadIDX(f *testing.F) {
	good := mnIDX(8, []int32{2, 3, 4}, mnRamp(24))
	f.Add(good)
	f.Add(mnGzip(good))
	f.Add(mnIDX(8, []int32{3}, []byte{1, 2, 3}))
	f.Add(mnIDX(8, []int32{3}, []byte{1, 2}))
	f.Add(mnIDX(8, []int32{0x7fffffff, 65536, 65536}, nil))
	f.Add(mnGzip(mnIDX(8, []int32{1 << 15, 1 << 15}, mnRamp(3))))
	f.Add(mnIDX(0x0D, []int32{1}, mnRamp(4)))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, file []byte) {
		for _, size := range []int64{int64(len(file)), -1} {
			dims, data, err := ReadIDX(bytes.NewReader(file), size)
			if err != nil {
				if dims != nil || data != nil {
					t.Fatalf("size %d: ReadIDX returned dims %v and %d bytes with error %v; want nil", size, dims, len(data), err)
				}
				continue
			}
			n := 1
			for _, d := range dims {
				if d <= 0 {
					t.Fatalf("size %d: dimension %d in %v; want > 0", size, d, dims)
				}
				n *= d
			}
			if n != len(data) {
				t.Fatalf("size %d: dims %v hold %d bytes; got %d", size, dims, n, len(data))
			}
			if file[0] == 0 && len(data)+4+4*len(dims) != len(file) {
				t.Fatalf("size %d: plain file of %d bytes gave %d bytes of data and %d dimensions", size, len(file), len(data), len(dims))
			}
		}
	})
}

// LoadIDX reads from a pipe, whose size (0) is not the file's.
func TestLoadIDXFromAPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.Write(mnIDX(8, []int32{2, 2}, []byte{1, 2, 3, 4}))
		w.Close()
	}()
	dims, data, err := LoadIDX(fmt.Sprintf("/dev/fd/%d", r.Fd()))
	r.Close()
	if err != nil || !reflect.DeepEqual(dims, []int{2, 2}) || !bytes.Equal(data, []byte{1, 2, 3, 4}) {
		t.Errorf("LoadIDX from a pipe = %v, %v, %v", dims, data, err)
	}
}
