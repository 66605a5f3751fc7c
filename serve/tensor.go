package serve

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unsafe"
)

// The protocol's names for the element types dlgo's tensors use.
const (
	typeFP32  = "FP32"
	typeBytes = "BYTES"
)

// parseNumbers appends to dst the numbers of the JSON array at the start
// of data, flat or nested to any depth (the protocol allows both, in
// row-major order), as float32 correctly rounded from their decimal form,
// and returns how many bytes the array took. Anything but numbers and
// arrays is an error that says where it is; so is malformed JSON.
func parseNumbers(dst []float32, data []byte) ([]float32, int, error) {
	i, depth := skipSpace(data, 0), 0
	if i == len(data) || data[i] != '[' {
		return dst, 0, fmt.Errorf("data must be an array of numbers")
	}
	for i < len(data) {
		switch c := data[i]; {
		case c == '[':
			depth++
			i++
		case c == ']':
			depth--
			i++
			if depth == 0 {
				return dst, i, nil
			}
			i = skipSpace(data, i)
			if i < len(data) && data[i] == ',' {
				i = skipSpace(data, i+1)
				if i < len(data) && data[i] == ']' {
					return dst, 0, fmt.Errorf("data: a comma before ']'")
				}
			} else if i < len(data) && data[i] != ']' {
				return dst, 0, fmt.Errorf("data: unexpected %q after an array", data[i])
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(data) && isNumberByte(data[j]) {
				j++
			}
			if !isJSONNumber(data[i:j]) {
				return dst, 0, fmt.Errorf("data: element %d: %q is not a JSON number", len(dst), data[i:j])
			}
			// ParseFloat does not keep its argument: a string sharing
			// the request's bytes saves a copy per number.
			v, err := strconv.ParseFloat(unsafe.String(&data[i], j-i), 32)
			if err != nil {
				if isRange(err) {
					return dst, 0, fmt.Errorf("data: element %d: %s is beyond the range of FP32", len(dst), data[i:j])
				}
				return dst, 0, fmt.Errorf("data: element %d: %q is not a number", len(dst), data[i:j])
			}
			dst = append(dst, float32(v))
			i = skipSpace(data, j)
			if i < len(data) && data[i] == ',' {
				i = skipSpace(data, i+1)
				if i < len(data) && data[i] == ']' {
					return dst, 0, fmt.Errorf("data: a comma before ']'")
				}
			} else if i < len(data) && data[i] != ']' {
				return dst, 0, fmt.Errorf("data: element %d: unexpected %q", len(dst)-1, data[i])
			}
		default:
			return dst, 0, fmt.Errorf("data: element %d is not a number (%s)", len(dst), excerpt(data[i:]))
		}
	}
	return dst, 0, fmt.Errorf("data: the array is not closed")
}

// isRange reports a number too large for float32.
func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// isJSONNumber reports whether b is a number in JSON's grammar:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?. ParseFloat alone would
// also take "01", "1." or ".5".
func isJSONNumber(b []byte) bool {
	i := 0
	digits := func() int {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

func isNumberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// excerpt quotes the start of b for an error message.
func excerpt(b []byte) string {
	if len(b) > 20 {
		return strconv.Quote(string(b[:20])) + "…"
	}
	return strconv.Quote(string(b))
}

// appendFloats appends vs to b as a JSON array, each number in the
// shortest form that reads back as the same float32. JSON has no NaN or
// infinity: they are written as null.
func appendFloats(b []byte, vs []float32) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFloat(b, v)
	}
	return append(b, ']')
}

// appendFloat appends v as a JSON number, or null for NaN and infinities.
func appendFloat(b []byte, v float32) []byte {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, float64(v), 'g', -1, 32)
}

// appendInts appends vs to b as a JSON array.
func appendInts(b []byte, vs []int) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return append(b, ']')
}

// appendJSON appends v encoded as JSON; v is a value that always encodes
// (a string, a slice of strings).
func appendJSON(b []byte, v any) []byte {
	js, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("serve: encoding %T: %v", v, err))
	}
	return append(b, js...)
}
