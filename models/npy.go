package models

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// NumPy's .npy format, version 1.0: the magic "\x93NUMPY", the version
// bytes 1 0, a little-endian uint16 header length, a Python dict literal
// padded with spaces to a multiple of 64 bytes and ending in a newline,
// then the raw little-endian values in C order.
const npyMagic = "\x93NUMPY"

// encodeNpy returns a parameter's values as a .npy file.
func encodeNpy(p *Param) []byte {
	descr := "<f4"
	if _, ok := p.Value.Data().([]float64); ok {
		descr = "<f8"
	}
	dims := make([]string, len(p.Shape()))
	for i, d := range p.Shape() {
		dims[i] = strconv.Itoa(d)
	}
	shape := strings.Join(dims, ", ")
	if len(dims) == 1 {
		shape += ","
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, shape)
	pad := 64 - (len(npyMagic)+4+len(header)+1)%64
	header += strings.Repeat(" ", pad%64) + "\n"
	var b bytes.Buffer
	b.WriteString(npyMagic)
	b.Write([]byte{1, 0})
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	switch d := p.Value.Data().(type) {
	case []float32:
		buf := make([]byte, 4*len(d))
		for i, v := range d {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		b.Write(buf)
	case []float64:
		buf := make([]byte, 8*len(d))
		for i, v := range d {
			binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
		}
		b.Write(buf)
	}
	return b.Bytes()
}

var npyHeader = regexp.MustCompile(`^\{'descr': '([<>|]?[a-z][0-9]+)', 'fortran_order': (True|False) *, 'shape': \(([0-9, ]*)\), \} *\n$`)

// The sizes of a .npy header with its magic, version and length: at least
// 64 bytes (it is padded to a multiple of 64), at most what its 16-bit
// length allows.
const (
	npyMinHeader = 64
	npyMaxHeader = 10 + 1<<16 - 1
)

// decodeNpy reads a .npy file into p's tensor in place, checking that its
// type and shape are p's.
func decodeNpy(data []byte, p *Param) error {
	r := bytes.NewReader(data)
	if err := readNpy(r, p); err != nil {
		return err
	}
	if r.Len() != 0 {
		want := p.Size() * int(p.dt.Size())
		return fmt.Errorf("%d bytes of data; want %d", want+r.Len(), want)
	}
	return nil
}

// readNpy reads a .npy array from r into p's tensor in place, checking
// that its type and shape are p's; it reads exactly the header and the
// values, through a small buffer.
func readNpy(r io.Reader, p *Param) error {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil || string(pre[:6]) != npyMagic {
		return errors.New("not a .npy array")
	}
	if pre[6] != 1 {
		return fmt.Errorf("unsupported .npy version %d.%d", pre[6], pre[7])
	}
	hlen := int(binary.LittleEndian.Uint16(pre[8:10]))
	header := make([]byte, hlen)
	if _, err := io.ReadFull(r, header); err != nil {
		return errors.New("truncated .npy header")
	}
	m := npyHeader.FindStringSubmatch(string(header))
	if m == nil {
		return fmt.Errorf("unreadable .npy header %q", header)
	}
	want := "<f4"
	if _, ok := p.Value.Data().([]float64); ok {
		want = "<f8"
	}
	if m[1] != want || m[2] != "False" {
		return fmt.Errorf("array of type %s (fortran order %s); want %s in C order", m[1], m[2], want)
	}
	var shape []int
	for _, f := range strings.Split(m[3], ",") {
		if f = strings.TrimSpace(f); f != "" {
			d, err := strconv.Atoi(f)
			if err != nil {
				return fmt.Errorf("bad dimension %q", f)
			}
			shape = append(shape, d)
		}
	}
	if !slices.Equal(shape, p.Shape()) {
		return fmt.Errorf("array of shape %v; want %v", shape, p.Shape())
	}
	buf := make([]byte, 64<<10)
	read := func(width, n int, put func(i int, b []byte)) error {
		total := 0
		for i := 0; i < n; {
			k := min(n-i, len(buf)/width)
			got, err := io.ReadFull(r, buf[:k*width])
			total += got
			if err != nil {
				return fmt.Errorf("%d bytes of data; want %d", total, n*width)
			}
			for j := range k {
				put(i+j, buf[j*width:])
			}
			i += k
		}
		return nil
	}
	switch d := p.Value.Data().(type) {
	case []float32:
		return read(4, len(d), func(i int, b []byte) { d[i] = math.Float32frombits(binary.LittleEndian.Uint32(b)) })
	case []float64:
		return read(8, len(d), func(i int, b []byte) { d[i] = math.Float64frombits(binary.LittleEndian.Uint64(b)) })
	}
	return nil
}
