package playground

import (
	"fmt"
	"math"
	"strings"
)

// reading returns a short plain-language reading of the loss curves h
// (from epoch 0) and of the latest gradient norms (first layer to
// output), in the course's terms, or "" when they say nothing clear. For
// regression, variance is the training targets' variance, the loss of
// always predicting their mean. The rules, first match wins, from 10
// epochs on:
//
//   - learning rate too large: the training loss has climbed 50% above its
//     lowest, or over the last 20 epochs it changed direction at least 10
//     times within a range of more than 10% of its level, in both cases
//     by more than 0.05 (for regression, 5% of the variance);
//   - over-fitting: the test loss has risen 10% above its lowest for at
//     least 10 epochs (and a fifth of the run) while the training loss fell
//     below its value then;
//   - under-fitting: after 50 epochs the training loss improved by less
//     than 1% over the last 20 and is still high (training accuracy below
//     90%, or a mean squared error above a fifth of the variance);
//   - a good fit: both losses low (accuracies of 95% or more, or errors
//     within a tenth of the variance) and close.
//
// Vanishing gradients, a first layer's gradient norm below 1% of the
// output layer's in a network with hidden layers, add a sentence unless
// the fit is good.
func reading(h []Figures, classification bool, variance float64, norms []float64, activation string) string {
	var parts []string
	good := false
	// scale is the size of a loss that matters: a coin toss's
	// cross-entropy is 0.69, and the variance is the error of the mean.
	scale := 1.0
	if !classification {
		scale = variance
	}
	if n := len(h) - 1; n >= 10 {
		now := h[n]
		switch {
		case tooFast(h, scale) != "":
			parts = append(parts, tooFast(h, scale))
		case overFitting(h) != "":
			parts = append(parts, overFitting(h))
		case n >= 50 && h[n-20].TrainLoss-now.TrainLoss < 0.01*now.TrainLoss && high(now, classification, variance):
			what := fmt.Sprintf("%.0f%% of the targets' variance", 100*now.TrainLoss/variance)
			if classification {
				what = fmt.Sprintf("training accuracy %.0f%%", 100**now.TrainAccuracy)
			}
			parts = append(parts, fmt.Sprintf("Under-fitting: the training loss has levelled off at %.3f (%s). "+
				"The network is too simple for this data: give it more neurons or layers, features such as x₁² or sin x₁, or less regularisation.",
				now.TrainLoss, what))
		case goodFit(now, classification, variance):
			good = true
			parts = append(parts, "A good fit: the training and test losses are both low and close together, "+
				"so what the network learned from the training points carries over to the test points.")
		}
	}
	if k := len(norms); !good && k >= 2 && norms[k-1] > 0 && norms[0] < 0.01*norms[k-1] {
		s := fmt.Sprintf("Vanishing gradients: the first layer's gradient is %.0f times smaller than the output layer's, so the first layers barely learn",
			norms[k-1]/norms[0])
		if activation == "sigmoid" {
			s += ": each sigmoid layer multiplies the gradient by its slope, at most 1/4"
		}
		parts = append(parts, s+". ReLU, or fewer layers, keeps the gradient alive.")
	}
	return strings.Join(parts, " ")
}

// tooFast reads a learning rate that is too large in the training loss;
// changes smaller than 5% of scale do not count.
func tooFast(h []Figures, scale float64) string {
	n := len(h) - 1
	best := 0
	for i, f := range h {
		if f.TrainLoss < h[best].TrainLoss {
			best = i
		}
	}
	if now := h[n].TrainLoss; now > 1.5*h[best].TrainLoss && now-h[best].TrainLoss > 0.05*scale && n-best >= 3 {
		return fmt.Sprintf("The learning rate looks too large: the training loss climbed from %.3f at epoch %d to %.3f. "+
			"The steps overshoot the minimum; try a smaller learning rate.", h[best].TrainLoss, h[best].Epoch, now)
	}
	w := h[max(0, n-20):]
	turns, lo, hi, sum := 0, math.Inf(1), math.Inf(-1), 0.0
	for i, f := range w {
		lo, hi, sum = math.Min(lo, f.TrainLoss), math.Max(hi, f.TrainLoss), sum+f.TrainLoss
		if i >= 2 && (w[i].TrainLoss-w[i-1].TrainLoss)*(w[i-1].TrainLoss-w[i-2].TrainLoss) < 0 {
			turns++
		}
	}
	if mean := sum / float64(len(w)); turns >= 10 && hi-lo > 0.1*mean && hi-lo > 0.05*scale {
		return fmt.Sprintf("The learning rate looks too large: over the last %d epochs the training loss jumped up and down between %.3f and %.3f "+
			"instead of falling steadily. Try a smaller learning rate (or larger batches).", len(w)-1, lo, hi)
	}
	return ""
}

// overFitting reads over-fitting in the curves.
func overFitting(h []Figures) string {
	n := len(h) - 1
	best := 0
	for i, f := range h {
		if f.TestLoss < h[best].TestLoss {
			best = i
		}
	}
	now := h[n]
	if n-best >= max(10, n/5) && now.TestLoss > 1.1*h[best].TestLoss+1e-3 && now.TrainLoss < h[best].TrainLoss {
		return fmt.Sprintf("Over-fitting: since epoch %d the test loss has risen from %.3f to %.3f while the training loss kept falling: "+
			"the network is learning the training points' noise. Regularise (L2, L1, dropout), use a smaller network or more data, or stop at epoch %d.",
			h[best].Epoch, h[best].TestLoss, now.TestLoss, h[best].Epoch)
	}
	return ""
}

// high says whether the training loss is still high.
func high(f Figures, classification bool, variance float64) bool {
	if classification {
		return *f.TrainAccuracy < 0.9
	}
	return f.TrainLoss > 0.2*variance
}

// goodFit says whether both losses are low and close.
func goodFit(f Figures, classification bool, variance float64) bool {
	if classification {
		return *f.TrainAccuracy >= 0.95 && *f.TestAccuracy >= 0.95 && f.TestLoss <= 1.5*f.TrainLoss+0.05
	}
	return f.TrainLoss <= 0.1*variance && f.TestLoss <= 1.5*f.TrainLoss+0.05*variance
}
