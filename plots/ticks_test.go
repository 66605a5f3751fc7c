package plots

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// labelsOf returns the labels of a marker's labelled ticks.
func labelsOf(r roundTicks, lo, hi float64) []string {
	var out []string
	for _, t := range r.Ticks(lo, hi) {
		if !t.IsMinor() {
			out = append(out, t.Label)
		}
	}
	return out
}

func TestRoundTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi  float64
		integer bool
		want    []string
	}{
		{0.5, 3.5, false, []string{"1", "2", "3"}},                  // gonum: 0.5, 2, 3.5
		{0.018, 0.982, false, []string{"0.2", "0.4", "0.6", "0.8"}}, // gonum: 0.1, 0.5, 0.9
		{-0.96, 0.96, false, []string{"-0.5", "0.0", "0.5"}},
		{0, 1, false, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{-1.5, 3, false, []string{"-1", "0", "1", "2", "3"}},
		{1, 300, true, []string{"50", "100", "150", "200", "250", "300"}}, // gonum: 40, 160, 280
		{1, 20, true, []string{"5", "10", "15", "20"}},
		{1, 3, true, []string{"1", "2", "3"}},
		{0.3, 0.31, false, []string{"0.300", "0.302", "0.304", "0.306", "0.308", "0.310"}},
		{0, 60000, false, []string{"0", "20000", "40000", "60000"}},
	} {
		if got := labelsOf(roundTicks{integer: tc.integer}, tc.lo, tc.hi); !slices.Equal(got, tc.want) {
			t.Errorf("[%v, %v] (integer %v): labels %q; want %q", tc.lo, tc.hi, tc.integer, got, tc.want)
		}
	}
	// Any range: 3 to 7 labels at multiples of one round step, within the
	// range, with unlabelled ticks between them.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		lo := (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(12)-6))
		hi := lo + rng.Float64()*math.Pow(10, float64(rng.IntN(12)-6)) + 1e-9
		if (hi-lo)/math.Abs(lo) < 1e-8 {
			continue // float64 cannot place round ticks that finely
		}
		ticks := roundTicks{}.Ticks(lo, hi)
		var vals []float64
		minor := 0
		for _, tk := range ticks {
			if tk.Value < lo-1e-9*math.Abs(hi-lo) || tk.Value > hi+1e-9*math.Abs(hi-lo) {
				t.Fatalf("[%g, %g]: tick %g outside the range", lo, hi, tk.Value)
			}
			if tk.IsMinor() {
				minor++
				continue
			}
			if _, err := strconv.ParseFloat(tk.Label, 64); err != nil {
				t.Fatalf("[%g, %g]: label %q is not a number", lo, hi, tk.Label)
			}
			vals = append(vals, tk.Value)
		}
		if len(vals) < minRoundLabels || len(vals) > maxRoundLabels {
			t.Fatalf("[%g, %g]: %d labels; want %d to %d: %v", lo, hi, len(vals), minRoundLabels, maxRoundLabels, vals)
		}
		step := vals[1] - vals[0]
		m := step / pow10(int(math.Floor(math.Log10(step)+1e-6)))
		if r := math.Round(m); math.Abs(m-r) > 1e-3 || !(r == 1 || r == 2 || r == 5) {
			t.Fatalf("[%g, %g]: step %g is not 1, 2 or 5 times a power of ten", lo, hi, step)
		}
		if minor == 0 {
			t.Fatalf("[%g, %g]: no unlabelled ticks", lo, hi)
		}
	}
}

// A log axis over less than two decades labels 1, 2 and 5 times the powers
// of ten, not linear steps that crowd at its top.
func TestLogTicksShortRange(t *testing.T) {
	var got []string
	for _, tk := range (logTicks{}).Ticks(0.015, 0.65) {
		if !tk.IsMinor() {
			got = append(got, tk.Label)
		}
	}
	if want := []string{"0.02", "0.05", "0.1", "0.2", "0.5"}; !slices.Equal(got, want) {
		t.Errorf("[0.015, 0.65]: labels %q; want %q", got, want)
	}
}
