package models

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
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

// decodeNpy reads a .npy file into p's tensor in place, checking that its
// type and shape are p's.
func decodeNpy(data []byte, p *Param) error {
	if len(data) < 10 || string(data[:6]) != npyMagic {
		return errors.New("not a .npy array")
	}
	if data[6] != 1 {
		return fmt.Errorf("unsupported .npy version %d.%d", data[6], data[7])
	}
	hlen := int(binary.LittleEndian.Uint16(data[8:10]))
	if 10+hlen > len(data) {
		return errors.New("truncated .npy header")
	}
	m := npyHeader.FindStringSubmatch(string(data[10 : 10+hlen]))
	if m == nil {
		return fmt.Errorf("unreadable .npy header %q", data[10:10+hlen])
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
	body := data[10+hlen:]
	switch d := p.Value.Data().(type) {
	case []float32:
		if len(body) != 4*len(d) {
			return fmt.Errorf("%d bytes of data; want %d", len(body), 4*len(d))
		}
		for i := range d {
			d[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))
		}
	case []float64:
		if len(body) != 8*len(d) {
			return fmt.Errorf("%d bytes of data; want %d", len(body), 8*len(d))
		}
		for i := range d {
			d[i] = math.Float64frombits(binary.LittleEndian.Uint64(body[8*i:]))
		}
	}
	return nil
}
