package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// roundTicks marks a linear axis at round numbers: labelled ticks at the
// multiples of a step of 1, 2 or 5 times a power of ten, the step that
// gives closest to 5 labels within the axis (3 to 7; of two as close, the
// larger step), and unlabelled ticks between them. gonum's DefaultTicks
// may label an axis from 0.5 to 3.5 at 0.5, 2 and 3.5; this labels it at
// 1, 2 and 3.
type roundTicks struct {
	// integer keeps the step at 1 or more, for axes such as epochs.
	integer bool
}

// The number of labelled ticks roundTicks aims at, and its bounds.
const (
	targetRoundLabels = 5
	minRoundLabels    = 3
	maxRoundLabels    = 7
)

// Ticks returns the ticks within [lo, hi].
func (r roundTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || !finite(lo) || !finite(hi) {
		if finite(lo) {
			return []plot.Tick{{Value: lo, Label: formatTick(lo, 1)}}
		}
		return nil
	}
	step := r.step(lo, hi)
	minor := step / minorDivisions(step)
	if r.integer && minor < 1 {
		minor = 1
	}
	var ticks []plot.Tick
	for k := math.Floor(lo/minor) - 1; k*minor <= hi+minor*1e-9; k++ {
		v := k * minor
		if v < lo-minor*1e-9 {
			continue
		}
		if m := v / step; math.Abs(m-math.Round(m)) < 1e-6 {
			v = math.Round(m) * step // exact multiples: no -0 or 0.30000000000000004
			ticks = append(ticks, plot.Tick{Value: v, Label: formatTick(v, step)})
		} else {
			ticks = append(ticks, plot.Tick{Value: v})
		}
	}
	return ticks
}

// step returns the labelled ticks' step for [lo, hi].
func (r roundTicks) step(lo, hi float64) float64 {
	count := func(s float64) int {
		return int(math.Floor(hi/s+1e-9) - math.Ceil(lo/s-1e-9) + 1)
	}
	e0 := int(math.Floor(math.Log10(hi - lo)))
	best, bestScore := 0.0, math.Inf(1)
	for e := e0 + 1; e >= e0-2; e-- {
		for _, m := range []float64{5, 2, 1} { // larger steps first: they win ties
			s := m * pow10(e)
			if r.integer && s < 1 {
				continue
			}
			n := count(s)
			score := math.Abs(float64(n - targetRoundLabels))
			if n < minRoundLabels || n > maxRoundLabels {
				score += 100 // only if no step gives 3 to 7
			}
			if score < bestScore {
				best, bestScore = s, score
			}
		}
	}
	return best
}

// minorDivisions returns how many minor intervals a step is split into:
// 5 for steps of 1 and 5 (0.2, 1), 4 for steps of 2 (0.5).
func minorDivisions(step float64) float64 {
	e := math.Floor(math.Log10(step) + 1e-9)
	if math.Round(step/pow10(int(e))) == 2 {
		return 4
	}
	return 5
}

// formatTick writes a tick value with the decimals its step needs:
// "0.25" for a step of 0.05, "1500" for a step of 500.
func formatTick(v, step float64) string {
	decimals := 0
	if step < 1 {
		decimals = int(math.Ceil(-math.Log10(step) - 1e-9))
		if s := step * pow10(decimals); math.Abs(s-math.Round(s)) > 1e-6 {
			decimals++
		}
	}
	if math.Abs(v) >= 1e6 || (v != 0 && math.Abs(v) < 1e-4) {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
