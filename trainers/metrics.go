package trainers

import (
	"math"

	"github.com/dlgo/dlgo/models"
)

// The names of the quantities Fit and Evaluate report. Validation values
// carry the "val_" prefix, as in Keras.
const (
	LossName      = "loss"
	AccuracyName  = "accuracy"
	MSEName       = "mse"
	MAEName       = "mae"
	RMSEName      = "rmse"
	R2Name        = "r2"
	PrecisionName = "precision"
	RecallName    = "recall"
	F1Name        = "f1"
)

// meter accumulates a loss and the task's metrics over batches, so that an
// epoch's figures are exact averages over every sample, whatever the batch
// sizes. The metrics are computed on the model's outputs (after the output
// activation), its predictions.
type meter struct {
	spec    models.Spec
	task    models.Task
	units   int
	n       int
	lossSum float64
	correct int
	// regression, per output: sums of squared and absolute errors, and the
	// targets' running mean and sum of squared deviations (Welford), for R².
	sse, sae, mean, m2 []float64
	// multi-label, per label: true and false positives, false negatives,
	// correct decisions.
	tp, fp, fn, right []int
	// reconstruction: the sum of squared errors over every value.
	sseAll  float64
	outputs []float32 // scratch
	// terms holds the loss's extra terms (a VAE's), when it has some.
	terms *termMeter
}

func newMeter(spec models.Spec) *meter {
	m := &meter{spec: spec, task: spec.Task(), units: spec.Units()}
	switch m.task {
	case models.Regression:
		m.sse = make([]float64, m.units)
		m.sae = make([]float64, m.units)
		m.mean = make([]float64, m.units)
		m.m2 = make([]float64, m.units)
	case models.MultiLabel:
		m.tp, m.fp, m.fn, m.right = make([]int, m.units), make([]int, m.units), make([]int, m.units), make([]int, m.units)
	}
	m.terms = newTermMeter(spec)
	return m
}

// addLoss adds a batch's mean loss over n samples.
func (m *meter) addLoss(mean float64, n int) { m.lossSum += mean * float64(n) }

// addOutputs adds the metrics of samples with logits z (units each) and
// targets t (as the data set holds them). With withLoss it also adds their
// loss, computed from the logits with the training graph's formula.
func (m *meter) addOutputs(z, t []float32, withLoss bool) error {
	n := len(z) / m.units
	if withLoss {
		losses, err := models.SampleLosses(m.spec, z, t)
		if err != nil {
			return err
		}
		for _, l := range losses {
			m.lossSum += l
		}
	}
	switch m.task {
	case models.Classification:
		for i, c := range models.ClassesOf(m.spec, z) {
			if c == int(t[i]) {
				m.correct++
			}
		}
	case models.MultiLabel:
		for i, yes := range models.LabelsOf(z) {
			truth, j := t[i] >= 0.5, i%m.units
			switch {
			case yes && truth:
				m.tp[j]++
			case yes:
				m.fp[j]++
			case truth:
				m.fn[j]++
			}
			if yes == truth {
				m.right[j]++
				m.correct++
			}
		}
	case models.Reconstruction:
		m.outputs = append(m.outputs[:0], z...)
		for i, a := range models.OutputsOf(m.spec, m.outputs) {
			d := float64(a) - float64(t[i])
			m.sseAll += d * d
		}
	case models.Regression:
		m.outputs = append(m.outputs[:0], z...)
		a := models.OutputsOf(m.spec, m.outputs)
		for i := range n {
			seen := float64(m.n + i + 1)
			for j := range m.units {
				y := float64(t[i*m.units+j])
				d := float64(a[i*m.units+j]) - y
				m.sse[j] += d * d
				m.sae[j] += math.Abs(d)
				delta := y - m.mean[j]
				m.mean[j] += delta / seen
				m.m2[j] += delta * (y - m.mean[j])
			}
		}
	}
	m.n += n
	return nil
}

// logs returns the averages, keyed by name with the given prefix ("" or
// "val_"): the loss, and accuracy (for multi-label models, over every
// label decision) or MSE, MAE, RMSE and R² (averaged over the outputs, as
// scikit-learn does, in the targets' units; an output whose targets are all equal counts R² as 0
// unless it is predicted exactly), or for a reconstruction the MSE over
// every value; with the data loss and each extra term of a loss that has
// them.
func (m *meter) logs(prefix string) map[string]float64 {
	out := map[string]float64{}
	if m.n == 0 {
		return out
	}
	n := float64(m.n)
	out[prefix+LossName] = m.lossSum / n
	switch m.task {
	case models.Classification:
		out[prefix+AccuracyName] = float64(m.correct) / n
	case models.MultiLabel:
		out[prefix+AccuracyName] = float64(m.correct) / (n * float64(m.units))
	case models.Reconstruction:
		out[prefix+MSEName] = m.sseAll / (n * float64(m.units))
	case models.Regression:
		var mse, mae, rmse, r2 float64
		for j := range m.units {
			t := m.target(j)
			mse += t[MSEName]
			mae += t[MAEName]
			rmse += t[RMSEName]
			r2 += t[R2Name]
		}
		k := float64(m.units)
		out[prefix+MSEName], out[prefix+MAEName], out[prefix+R2Name] = mse/k, mae/k, r2/k
		out[prefix+RMSEName] = rmse / k
	}
	m.terms.logs(out, prefix, n)
	return out
}

// target returns the metrics of output j alone: MSE, MAE, RMSE and R² for
// regression; accuracy, precision, recall and F1 for a label.
func (m *meter) target(j int) map[string]float64 {
	n := float64(m.n)
	if m.task == models.MultiLabel {
		tp, fp, fn := float64(m.tp[j]), float64(m.fp[j]), float64(m.fn[j])
		return map[string]float64{AccuracyName: float64(m.right[j]) / n,
			PrecisionName: ratio(tp, tp+fp), RecallName: ratio(tp, tp+fn), F1Name: ratio(2*tp, 2*tp+fp+fn)}
	}
	r2 := 0.0
	switch {
	case m.m2[j] > 0:
		r2 = 1 - m.sse[j]/m.m2[j]
	case m.sse[j] == 0:
		r2 = 1
	}
	return map[string]float64{MSEName: m.sse[j] / n, MAEName: m.sae[j] / n, RMSEName: math.Sqrt(m.sse[j] / n), R2Name: r2}
}

// ratio is a/b, or 0 when b is 0 (scikit-learn's zero_division=0).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
