package serve

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// reference parses a number as encoding/json's grammar and strconv do.
func reference(s string) (float32, bool) {
	var raw json.Number
	if err := json.Unmarshal([]byte(s), &raw); err != nil || raw.String() != s {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 32)
	if err != nil {
		return 0, false
	}
	return float32(v), true
}

func checkNumber(t *testing.T, s string) {
	t.Helper()
	got, n, err := parseNumber([]byte(s))
	want, ok := reference(s)
	if ok != (err == nil && n == len(s)) {
		t.Fatalf("parseNumber(%q) = %v, %d, %v; valid: %v", s, got, n, err, ok)
	}
	if ok && math.Float32bits(got) != math.Float32bits(want) {
		t.Fatalf("parseNumber(%q) = %v (%#x); strconv: %v (%#x)", s, got, math.Float32bits(got), want, math.Float32bits(want))
	}
}

// parseNumber gives strconv's float32, to the bit, for numbers written in
// every usual way, and rejects what JSON does not call a number.
func TestParseNumber(t *testing.T) {
	for _, s := range []string{
		"0", "-0", "1", "-1", "0.5", "0.003921569", "0.00392156862745098", "1e5", "1E-5", "1e+5", "-2.5e-3",
		"123456789", "1234567", "12345678", "16777217", "3.4028235e38", "1.4e-45", "1e-46", "0.1", "0.0000000001",
		"1.000000000", "100000000000000000000000", "9007199254740993", "0.30000001192092896",
		"01", "1.", ".5", "-", "1e", "1e+", "--1", "+1", "1.5.3", "0x10", "NaN", "Infinity", "1_000", "00",
	} {
		checkNumber(t, s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		v := float32(math.Ldexp(rng.Float64(), rng.IntN(60)-30))
		if rng.IntN(2) == 0 {
			v = -v
		}
		checkNumber(t, strconv.FormatFloat(float64(v), 'g', -1, 32))
		checkNumber(t, strconv.FormatFloat(float64(v), 'g', -1, 64))
		checkNumber(t, strconv.FormatFloat(float64(v), 'f', rng.IntN(12), 64))
		checkNumber(t, strconv.FormatFloat(float64(v), 'e', rng.IntN(12), 32))
		// Pixels scaled to [0, 1], as clients send images.
		checkNumber(t, strconv.FormatFloat(float64(float32(rng.IntN(256))/255), 'g', -1, 32))
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"0", "-1.5e-3", "0.003921569", "1e39", "12345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" {
			return
		}
		checkNumber(t, s)
	})
}
