package models

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// craft writes a model file by hand: a manifest with the given spec (JSON)
// and parameter entries, and the given members in order.
func craft(t testing.TB, spec, params string, members ...[2]string) []byte {
	t.Helper()
	if params == "" {
		params = "[]"
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	all := append([][2]string{{manifestName, `{"format": "dlgo-model", "version": 2, "spec": ` + spec + `, "params": ` + params + `}`}}, members...)
	for _, m := range all {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: m[0], Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(f, m[1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// craftedFiles are model files built to break a reader: sizes that
// overflow, negative sizes, sizes that need more memory than the file
// could hold, and archives with unsafe or doubled member names. Each is
// refused with an error that contains want.
var craftedFiles = []struct {
	name, spec, params string
	members            [][2]string
	want               string
}{
	// A 1.7 KB file whose conv kernel has 65536·2²⁴·2²⁴ = 2⁶⁴ values:
	// the product overflows to 0, so its size check used to pass.
	{name: "conv kernel overflowing int", spec: `{"input": [65536, 1, 1], "layers": [{"type": "conv2d", "filters": 1, "kernel": 16777216, "stride": 16777216, "padding": 16777216}, {"type": "flatten"}]}`,
		want: "conv2d_1/kernel of shape [1 65536 16777216 16777216] is larger"},
	{name: "conv patches overflowing int", spec: `{"input": [1, 8, 8], "layers": [{"type": "conv2d", "filters": 1, "kernel": 16777216, "padding": 16777216}, {"type": "flatten"}]}`,
		want: "is larger than"},
	{name: "transposed conv kernel overflowing", spec: `{"input": [67108864, 1, 1], "layers": [{"type": "conv2d_transpose", "filters": 67108864, "kernel": 65536}, {"type": "flatten"}]}`,
		want: "is larger than"},
	{name: "input shape overflowing int", spec: `{"input": [4294967296, 4294967296, 4], "layers": [{"type": "dense", "units": 1}]}`,
		want: "input shape"},
	{name: "input shape product too large", spec: `{"input": [65536, 65536], "layers": [{"type": "flatten"}, {"type": "dense", "units": 1}]}`,
		want: "more values per sample"},
	{name: "dense units overflowing", spec: `{"input": [4], "layers": [{"type": "dense", "units": 4611686018427387904}]}`,
		want: "is larger than"},
	{name: "upsampling overflowing", spec: `{"input": [1, 4, 4], "layers": [{"type": "upsample2d", "size": 9223372036854775807}, {"type": "flatten"}]}`,
		want: "out of range"},
	{name: "reshape overflowing", spec: `{"input": [6], "layers": [{"type": "reshape", "shape": [4294967296, 4294967296, -1]}]}`,
		want: "cannot reshape"},
	{name: "pooling window overflowing", spec: `{"input": [1, 4, 4], "layers": [{"type": "maxpool2d", "kernel": 9223372036854775807}, {"type": "flatten"}]}`,
		want: "does not fit"},
	{name: "negative input", spec: `{"input": [-3, 2], "layers": [{"type": "dense", "units": 1}]}`, want: "input shape"},
	{name: "negative units", spec: `{"input": [3], "layers": [{"type": "dense", "units": -5}]}`, want: "at least 1 unit"},
	{name: "negative kernel", spec: `{"input": [1, 4, 4], "layers": [{"type": "conv2d", "filters": 2, "kernel": -3}]}`, want: "kernel ≥ 1"},
	{name: "negative stride", spec: `{"input": [1, 4, 4], "layers": [{"type": "conv2d", "filters": 2, "kernel": 3, "stride": -1}]}`, want: "stride"},
	{name: "negative padding", spec: `{"input": [1, 4, 4], "layers": [{"type": "conv2d", "filters": 2, "kernel": 3, "padding": -7}]}`, want: "padding"},
	{name: "negative reshape", spec: `{"input": [6], "layers": [{"type": "reshape", "shape": [-2, -3]}]}`, want: "positive"},
	{name: "huge layer in a small file", spec: `{"input": [1000], "layers": [{"type": "dense", "units": 1000000}]}`, want: "parameters take more"},
	{name: "member with ../", spec: `{"input": [2], "layers": [{"type": "dense", "units": 1}]}`,
		members: [][2]string{{"../../etc/passwd", "x"}}, want: "unsafe member name"},
	{name: "absolute member", spec: `{"input": [2], "layers": [{"type": "dense", "units": 1}]}`,
		members: [][2]string{{"/tmp/x.npy", "x"}}, want: "unsafe member name"},
	{name: "parameter read from ../", spec: `{"input": [2], "layers": [{"type": "dense", "units": 1}]}`,
		params:  `[{"name": "dense_1/kernel", "shape": [2, 1], "dtype": "float32", "file": "../dense_1/kernel.npy"}, {"name": "dense_1/bias", "shape": [1], "dtype": "float32", "file": "dense_1/bias.npy"}]`,
		members: [][2]string{{"dense_1/kernel.npy", "x"}}, want: `member "../dense_1/kernel.npy"`},
	{name: "doubled member", spec: `{"input": [2], "layers": [{"type": "dense", "units": 1}]}`,
		members: [][2]string{{"dense_1/bias.npy", "x"}, {"dense_1/bias.npy", "y"}}, want: "appears twice"},
	{name: "member smaller than its array", spec: `{"input": [2], "layers": [{"type": "dense", "units": 1}]}`,
		params:  `[{"name": "dense_1/kernel", "shape": [2, 1], "dtype": "float32", "file": "dense_1/kernel.npy"}, {"name": "dense_1/bias", "shape": [1], "dtype": "float32", "file": "dense_1/bias.npy"}]`,
		members: [][2]string{{"dense_1/kernel.npy", "\x93NUMPY"}, {"dense_1/bias.npy", "x"}}, want: "is 6 bytes"},
}

// Every crafted file is refused with an error, never a panic, and before
// anything large is allocated.
func TestCraftedFilesAreRefused(t *testing.T) {
	for _, c := range craftedFiles {
		file := craft(t, c.spec, c.params, c.members...)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := Read(bytes.NewReader(file), int64(len(file)))
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s (%d bytes): Read = %v, %v; want an error containing %q", c.name, len(file), m, err, c.want)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
			t.Errorf("%s: Read allocated %d MB before refusing", c.name, grew>>20)
		}
	}
}

// sparseWriter turns writes of zeros into holes: it seeks over them.
type sparseWriter struct {
	f     *os.File
	zeros bool
}

func (w *sparseWriter) Write(p []byte) (int, error) {
	if w.zeros && bytes.Count(p, []byte{0}) == len(p) {
		_, err := w.f.Seek(int64(len(p)), io.SeekCurrent)
		return len(p), err
	}
	return w.f.Write(p)
}

// A sparse 3 GB file whose manifest declares a 2.4 GB layer, which the
// file's size allows, but whose member for it is missing: Load refuses it
// from the archive's directory, before allocating the layer.
func TestSparseHugeFileIsRefusedCheaply(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sparse.dlgo")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	sw := &sparseWriter{f: f}
	zw := zip.NewWriter(sw)
	man, _ := zw.CreateHeader(&zip.FileHeader{Name: manifestName, Method: zip.Store})
	io.WriteString(man, `{"format": "dlgo-model", "version": 2, "spec": {"input": [600000], "layers": [{"type": "dense", "units": 1000}]},
		"params": [{"name": "dense_1/kernel", "shape": [600000, 1000], "dtype": "float32", "file": "dense_1/kernel.npy"},
		{"name": "dense_1/bias", "shape": [1000], "dtype": "float32", "file": "dense_1/bias.npy"}]}`)
	const hole = 3 << 30
	pad, err := zw.CreateRaw(&zip.FileHeader{Name: "padding.bin", Method: zip.Store, CompressedSize64: hole, UncompressedSize64: hole})
	if err != nil {
		t.Fatal(err)
	}
	sw.zeros = true
	zero := make([]byte, 1<<20)
	for range hole >> 20 {
		if _, err := pad.Write(zero); err != nil {
			t.Skipf("cannot write a sparse file here: %v", err)
		}
	}
	sw.zeros = false
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); !ok || sys.Blocks*512 > 64<<20 {
		t.Skip("the file system does not keep holes: the file would really take 3 GB")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err = Load(path)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "dense_1/kernel.npy is missing") {
		t.Errorf("Load = %v; want the missing member", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 || time.Since(start) > 5*time.Second {
		t.Errorf("Load allocated %d MB in %v before refusing", grew>>20, time.Since(start))
	}
}

// Load reads a model from a pipe, which has no size to trust, as from a
// file; ReadAll bounds what it reads.
func TestLoadFromAPipe(t *testing.T) {
	m := trainedLike(t)
	file := saved(t, m)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.Write(file)
		w.Close()
	}()
	got, err := Load("/dev/fd/" + itoa(int(r.Fd())))
	r.Close()
	if err != nil {
		t.Fatalf("Load from a pipe: %v", err)
	}
	x := []float32{1, 2, 3}
	a, _ := m.Predict(x)
	b, err := got.Predict(x)
	if err != nil || !equalF32(a, b) {
		t.Errorf("the model read from a pipe predicts %v, %v; the original %v", b, err, a)
	}
	if _, err := ReadAll(strings.NewReader("not a model")); err == nil {
		t.Error("ReadAll of text: no error")
	}
	if _, err := ReadAll(bytes.NewReader(file[:len(file)/2])); err == nil {
		t.Error("ReadAll of half a file: no error")
	}
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

func equalF32(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// npyOf returns a .npy array of float32s with the given shape and raw
// data (which need not fit the shape).
func npyOf(shape string, data []byte) []byte {
	header := "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }"
	header += strings.Repeat(" ", (64-(10+len(header)+1)%64)%64) + "\n"
	b := append([]byte(npyMagic), 1, 0, byte(len(header)), byte(len(header)>>8))
	return append(append(b, header...), data...)
}

// The whole 1.7 KB file of the report: a conv kernel of 2⁶⁴ values stored
// as an empty array, with correct checksums. It used to load, and predict
// with a kernel tensor of no values; it is refused.
func TestOverflowingConvKernelFile(t *testing.T) {
	kernel := npyOf("1, 65536, 16777216, 16777216", nil)
	bias := npyOf("1,", []byte{0, 0, 0, 0})
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	file := craft(t, `{"input": [65536, 1, 1], "layers": [{"type": "conv2d", "filters": 1, "kernel": 16777216, "stride": 16777216, "padding": 16777216}, {"type": "flatten"}, {"type": "dense", "units": 2, "activation": "softmax"}]}`,
		`[{"name": "conv2d_1/kernel", "shape": [1, 65536, 16777216, 16777216], "dtype": "float32", "file": "conv2d_1/kernel.npy", "sha256": "`+sum(kernel)+`"},
		{"name": "conv2d_1/bias", "shape": [1], "dtype": "float32", "file": "conv2d_1/bias.npy", "sha256": "`+sum(bias)+`"},
		{"name": "dense_1/kernel", "shape": [4, 2], "dtype": "float32", "file": "dense_1/kernel.npy", "sha256": "`+sum(npyOf("4, 2", make([]byte, 32)))+`"},
		{"name": "dense_1/bias", "shape": [2], "dtype": "float32", "file": "dense_1/bias.npy", "sha256": "`+sum(npyOf("2,", make([]byte, 8)))+`"}]`,
		[2]string{"conv2d_1/kernel.npy", string(kernel)}, [2]string{"conv2d_1/bias.npy", string(bias)},
		[2]string{"dense_1/kernel.npy", string(npyOf("4, 2", make([]byte, 32)))}, [2]string{"dense_1/bias.npy", string(npyOf("2,", make([]byte, 8)))})
	path := filepath.Join(t.TempDir(), "conv.dlgo")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path)
	if err == nil {
		_, perr := m.Predict(make([]float32, m.InputDim()))
		t.Fatalf("Load accepted the %d-byte file (predicting: %v)", len(file), perr)
	}
	if !strings.Contains(err.Error(), "is larger than") {
		t.Errorf("Load: %v; want the kernel's size refused", err)
	}
}
