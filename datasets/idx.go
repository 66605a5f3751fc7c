package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxIDXBytes is the largest data section, in bytes, that ReadIDX accepts
// (1 GiB: MNIST's training images take 47 MB, EMNIST's largest set 640
// MB). A header that claims more is refused before anything is allocated,
// and no more than the header claims is ever decoded.
const MaxIDXBytes = 1 << 30

// maxTrailing is how many bytes after the data ReadIDX counts for its
// error message; it does not decompress more.
const maxTrailing = 1 << 20

// maxIDXDims is the largest number of dimensions ReadIDX accepts. The format
// allows 255; real files have 1 to 4.
const maxIDXDims = 16

// idxUint8 is the IDX type code of unsigned byte data, the only type dlgo
// reads.
const idxUint8 = 0x08

// idxTypeNames names the IDX type codes for error messages.
var idxTypeNames = map[byte]string{
	0x08: "unsigned byte",
	0x09: "signed byte",
	0x0B: "int16",
	0x0C: "int32",
	0x0D: "float32",
	0x0E: "float64",
}

// maxDeflateRatio bounds how many bytes one byte of deflate data can expand
// to; it sizes the first buffer for a gzipped file of known size.
const maxDeflateRatio = 1032

// ReadIDX reads an IDX file (the format of the MNIST files) of unsigned
// bytes from r, plain or gzipped: gzip is recognised by its magic bytes
// 1f 8b, not by a file name. size is the number of bytes r holds, or -1 when
// unknown; for a plain file it lets ReadIDX check the data size against the
// header before allocating anything.
//
// ReadIDX returns the dimensions from the header and the data, row-major,
// with len(data) equal to the product of dims. The header is validated
// before any allocation: the magic number, the type code (only 0x08,
// unsigned byte, is supported), the number of dimensions, every dimension
// positive, and a claimed data size of at most MaxIDXBytes that matches the
// file. A file shorter than its header claims and a file with bytes after
// its data are errors. The buffer grows with the data actually read, so a
// small file that claims a large size costs no large allocation.
func ReadIDX(r io.Reader, size int64) (dims []int, data []byte, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	compressed := false
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		compressed = true
		br = bufio.NewReaderSize(zr, 64<<10)
	}

	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, nil, fmt.Errorf("reading idx magic number: %w", noEOF(err))
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, nil, fmt.Errorf("bad idx magic number 0x%02x%02x%02x%02x: want 0x0000 then type and dimension bytes", head[0], head[1], head[2], head[3])
	}
	if head[2] != idxUint8 {
		name, ok := idxTypeNames[head[2]]
		if !ok {
			name = "unknown"
		}
		return nil, nil, fmt.Errorf("idx type code 0x%02x (%s) is not supported: want 0x08 (unsigned byte)", head[2], name)
	}
	nd := int(head[3])
	if nd < 1 || nd > maxIDXDims {
		return nil, nil, fmt.Errorf("idx header has %d dimensions: want 1 to %d", nd, maxIDXDims)
	}
	raw := make([]byte, 4*nd)
	if _, err := io.ReadFull(br, raw); err != nil {
		return nil, nil, fmt.Errorf("reading %d idx dimensions: %w", nd, noEOF(err))
	}
	headerLen := int64(4 + 4*nd)
	dims = make([]int, nd)
	total := int64(1)
	for i := range dims {
		d := int64(int32(binary.BigEndian.Uint32(raw[4*i:])))
		if d <= 0 {
			return nil, nil, fmt.Errorf("idx dimension %d is %d: want > 0", i, d)
		}
		dims[i] = int(d)
		// total <= MaxIDXBytes and d < 2^31, so the product cannot overflow.
		total *= d
		if total > MaxIDXBytes {
			return nil, nil, fmt.Errorf("idx dimensions %v claim more than %d bytes", raw2dims(raw), int64(MaxIDXBytes))
		}
	}

	initial := total
	switch {
	case !compressed && size >= 0:
		if have := size - headerLen; have < total {
			return nil, nil, fmt.Errorf("truncated: header claims %d bytes, file has %d", total, max(have, 0))
		} else if have > total {
			return nil, nil, fmt.Errorf("%d bytes of trailing data after the %d bytes the header claims", have-total, total)
		}
	case compressed && size >= 0:
		// Deflate cannot expand one byte to more than maxDeflateRatio: a
		// claim beyond that is a truncated file, or a lie.
		if total > maxDeflateRatio*size+(64<<10) {
			return nil, nil, fmt.Errorf("truncated: header claims %d bytes, more than a gzip file of %d bytes can hold", total, size)
		}
		initial = min(total, maxDeflateRatio*size+(64<<10))
	default:
		initial = min(total, 1<<20)
	}

	data, err = readCapped(br, total, initial)
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) < total {
		return nil, nil, fmt.Errorf("truncated: header claims %d bytes, file has %d", total, len(data))
	}
	// Anything after the data is an error; reading to the end also checks a
	// gzip stream's CRC and length.
	var one [1]byte
	n, err := io.ReadFull(br, one[:])
	if n > 0 {
		extra, _ := io.Copy(io.Discard, io.LimitReader(br, maxTrailing))
		if extra == maxTrailing {
			return nil, nil, fmt.Errorf("more than %d bytes of trailing data after the %d bytes the header claims", maxTrailing, total)
		}
		return nil, nil, fmt.Errorf("%d bytes of trailing data after the %d bytes the header claims", extra+1, total)
	}
	if err != io.EOF {
		return nil, nil, fmt.Errorf("after the %d bytes of idx data: %w", total, noEOF(err))
	}
	return dims, data, nil
}

// readCapped reads up to limit bytes from r. Its buffer starts at initial
// bytes and grows with the data read, never beyond limit. A short read is
// not an error; a read error other than io.EOF is.
func readCapped(r io.Reader, limit, initial int64) ([]byte, error) {
	buf := make([]byte, 0, min(max(initial, 1), limit))
	for int64(len(buf)) < limit {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(2*int64(cap(buf)), limit))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			// A short file: the caller reports how much there was.
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading idx data: %w", err)
		}
	}
	return buf, nil
}

// LoadIDX reads the IDX file at path, plain or gzipped, or from a pipe.
// See ReadIDX.
func LoadIDX(path string) (dims []int, data []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if !st.Mode().IsRegular() {
		size = -1 // a pipe or a device: its size says nothing
	}
	dims, data, err = ReadIDX(f, size)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return dims, data, nil
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF: inside a header or a gzip
// stream, the end of the input means the file was cut short.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// raw2dims decodes big-endian int32 dimensions for an error message.
func raw2dims(raw []byte) []int64 {
	d := make([]int64, len(raw)/4)
	for i := range d {
		d[i] = int64(int32(binary.BigEndian.Uint32(raw[4*i:])))
	}
	return d
}
