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
			v, n, err := parseNumber(data[i:])
			if err != nil {
				return dst, 0, fmt.Errorf("data: element %d: %w", len(dst), err)
			}
			j := i + n
			dst = append(dst, v)
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

// float64Pow10 holds the powers of ten that float64 represents exactly.
var float64Pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseNumber parses the JSON number at the start of b, in JSON's grammar
// (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; ParseFloat alone would
// also take "01", "1." or ".5"), and returns it correctly rounded to
// float32, with its length.
//
// Numbers of at most 15 significant digits and an exponent within ±22, the
// usual in a tensor, take a fast path: their digits and the power of ten
// are exact in float64, so one division or multiplication gives the
// float64 nearest to the number (Clinger's fast path). Rounding that to
// float32 gives the float32 nearest to the number unless it lies exactly
// halfway between two float32s: no float32 midpoint, itself a float64, can
// lie between the number and its nearest float64. Those, and the other
// numbers, go to strconv.ParseFloat.
func parseNumber(b []byte) (float32, int, error) {
	i := 0
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	var mant uint64
	digits, exp := 0, 0 // significant digits in mant; mant·10^exp
	digit := func() {
		if digits < 19 {
			mant = mant*10 + uint64(b[i]-'0')
			if mant != 0 {
				digits++
			}
		} else {
			digits++ // too many for the fast path
		}
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			digit()
			if digits > 19 {
				exp++
			}
		}
	default:
		return 0, 0, fmt.Errorf("%s is not a JSON number", excerpt(b[:numberEnd(b)]))
	}
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if digits < 19 {
				exp--
			}
			digit()
		}
		if i == start {
			return 0, 0, fmt.Errorf("%s is not a JSON number", excerpt(b[:numberEnd(b)]))
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		start, e := i, 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if e < 10000 {
				e = e*10 + int(b[i]-'0')
			}
			i++
		}
		if i == start {
			return 0, 0, fmt.Errorf("%s is not a JSON number", excerpt(b[:numberEnd(b)]))
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i < len(b) && isNumberByte(b[i]) {
		return 0, 0, fmt.Errorf("%s is not a JSON number", excerpt(b[:numberEnd(b)]))
	}
	if mant == 0 && digits == 0 {
		if neg {
			return float32(math.Copysign(0, -1)), i, nil
		}
		return 0, i, nil
	}
	if digits <= 15 && exp >= -22 && exp <= 22 {
		d := float64(mant)
		if exp < 0 {
			d /= float64Pow10[-exp]
		} else {
			d *= float64Pow10[exp]
		}
		// d is at least 1e-22 and below 1e38: a normal float32, whose
		// midpoints have the 29 low bits of a float64's significand at
		// 1<<28.
		if math.Float64bits(d)&(1<<29-1) != 1<<28 {
			f := float32(d)
			if neg {
				f = -f
			}
			return f, i, nil
		}
	}
	// ParseFloat does not keep its argument: a string sharing the
	// request's bytes saves a copy.
	v, err := strconv.ParseFloat(unsafe.String(&b[0], i), 32)
	if err != nil {
		if isRange(err) {
			return 0, 0, fmt.Errorf("%s is beyond the range of FP32", b[:i])
		}
		return 0, 0, fmt.Errorf("%q is not a number", b[:i])
	}
	return float32(v), i, nil
}

// numberEnd returns the length of what looks like a number at the start
// of b, for an error message.
func numberEnd(b []byte) int {
	n := 1
	for n < len(b) && isNumberByte(b[n]) {
		n++
	}
	return min(n, len(b))
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
