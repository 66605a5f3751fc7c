package trainers

import (
	"github.com/dlgo/dlgo/models"
)

// The names of the quantities Fit and Evaluate report. Validation values
// carry the "val_" prefix, as in Keras.
const (
	LossName     = "loss"
	AccuracyName = "accuracy"
	MSEName      = "mse"
	MAEName      = "mae"
	R2Name       = "r2"
)

// meter accumulates a loss and the task's metrics over batches, so that an
// epoch's figures are exact averages over every sample, whatever the batch
// sizes.
type meter struct {
	loss    models.Loss
	units   int
	n       int
	lossSum float64
	correct int
	// regression, per output: sums of squared and absolute errors, and the
	// targets' running mean and sum of squared deviations (Welford), for R².
	sse, sae, mean, m2 []float64
}

func newMeter(loss models.Loss, units int) *meter {
	m := &meter{loss: loss, units: units}
	if loss == models.MSE {
		m.sse = make([]float64, units)
		m.sae = make([]float64, units)
		m.mean = make([]float64, units)
		m.m2 = make([]float64, units)
	}
	return m
}

// addLoss adds a batch's mean loss over n samples.
func (m *meter) addLoss(mean float64, n int) { m.lossSum += mean * float64(n) }

// addOutputs adds the metrics of n samples with logits z (units each) and
// targets t (class indices, or units values each). With withLoss it also
// adds their loss, computed from the logits.
func (m *meter) addOutputs(z, t []float32, withLoss bool) {
	n := len(z) / m.units
	tw := 1
	if m.loss == models.MSE {
		tw = m.units
	}
	classes := []int(nil)
	if m.loss != models.MSE {
		classes = models.ClassesOf(m.loss, z, m.units)
	}
	for i := range n {
		seen := float64(m.n + i + 1)
		zi, ti := z[i*m.units:(i+1)*m.units], t[i*tw:(i+1)*tw]
		if withLoss {
			m.lossSum += sampleLoss(m.loss, zi, ti)
		}
		if classes != nil {
			if classes[i] == int(ti[0]) {
				m.correct++
			}
			continue
		}
		for j := range zi {
			d, y := float64(zi[j])-float64(ti[j]), float64(ti[j])
			m.sse[j] += d * d
			m.sae[j] += max(d, -d)
			delta := y - m.mean[j]
			m.mean[j] += delta / seen
			m.m2[j] += delta * (y - m.mean[j])
		}
	}
	m.n += n
}

// logs returns the averages, keyed by name with the given prefix ("" or
// "val_"): the loss, and accuracy or MSE, MAE and R² (averaged over the
// outputs, as scikit-learn does; an output whose targets are all equal
// counts R² as 0 unless it is predicted exactly).
func (m *meter) logs(prefix string) map[string]float64 {
	out := map[string]float64{}
	if m.n == 0 {
		return out
	}
	n := float64(m.n)
	out[prefix+LossName] = m.lossSum / n
	if m.loss != models.MSE {
		out[prefix+AccuracyName] = float64(m.correct) / n
		return out
	}
	var mse, mae, r2 float64
	for j := range m.sse {
		mse += m.sse[j] / n
		mae += m.sae[j] / n
		switch {
		case m.m2[j] > 0:
			r2 += 1 - m.sse[j]/m.m2[j]
		case m.sse[j] == 0:
			r2++
		}
	}
	k := float64(len(m.sse))
	out[prefix+MSEName], out[prefix+MAEName], out[prefix+R2Name] = mse/k, mae/k, r2/k
	return out
}
