package playground

import (
	"encoding/base64"
	"fmt"
	"math"
	"strings"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

// Frame is one picture of the network, sent to the page after an epoch.
//
// Heat maps are base64 strings of one byte per cell, row by row from the
// top of the plane (x2 = View) down, each row from x1 = -View rightwards;
// byte b stands for the value b/127.5 - 1 in [-1, 1] (values beyond are
// clipped). The output's is GridSize² cells: the probability p of class 1
// as 2p - 1 for classification, the prediction for regression. Each
// hidden neuron's is NeuronGridSize² cells of its output (2×2 cells of the
// output's grid averaged).
type Frame struct {
	// Seq numbers the session's frames from 1.
	Seq     int    `json:"seq"`
	Epoch   int    `json:"epoch"`
	Playing bool   `json:"playing"`
	Done    bool   `json:"done"`
	Error   string `json:"error,omitempty"`
	Output  string `json:"output"`
	// Neurons holds the heat maps of each hidden layer's neurons.
	Neurons [][]string `json:"neurons"`
	// Ranges holds each hidden neuron's lowest and highest output over
	// the plane.
	Ranges [][][2]float64 `json:"ranges"`
	// Weights holds each dense layer's kernel, [input][output], the first
	// layer's inputs being the features; Biases their biases.
	Weights [][][]float64 `json:"weights"`
	Biases  [][]float64   `json:"biases"`
	// GradientNorms is the norm of the loss gradient with respect to each
	// layer's weights over the training points (dropout off, no penalty),
	// from the first layer to the output: vanishing gradients show as
	// norms falling towards the input.
	GradientNorms []float64 `json:"gradient_norms"`
	// Reading is a plain-language reading of the loss curves and the
	// gradients when they say something: a learning rate too large,
	// over-fitting, under-fitting, a good fit, vanishing gradients.
	Reading string `json:"reading,omitempty"`
	// History holds the figures of the epochs since the stream's previous
	// frame (every epoch from 0 in a stream's first frame).
	History []Figures `json:"history,omitempty"`
}

// buildFrame draws the network as it is. It runs where the model holds
// still.
func (s *Session) buildFrame() (*Frame, error) {
	outs, err := s.model.Activations(s.grid)
	if err != nil {
		return nil, err
	}
	spec := s.model.Spec()
	f := &Frame{}
	s.mu.Lock()
	f.Epoch = s.epoch
	history := s.history
	s.mu.Unlock()
	logits := outs[len(outs)-1]
	values := make([]float64, len(logits))
	for i, z := range logits {
		v := float64(z)
		if !s.data.regression {
			v = 2*models.SigmoidOf(v) - 1
		}
		values[i] = v
	}
	f.Output = quantize(values)
	for i, l := range spec.Layers[:len(spec.Layers)-1] {
		if l.Type != models.LayerDense {
			continue
		}
		maps, ranges := neuronMaps(outs[i], l.Units)
		f.Neurons = append(f.Neurons, maps)
		f.Ranges = append(f.Ranges, ranges)
	}
	for _, l := range spec.Layers {
		if l.Type != models.LayerDense {
			continue
		}
		w, b := s.model.Param(l.Name+"/kernel"), s.model.Param(l.Name+"/bias")
		if w == nil || b == nil {
			return nil, fmt.Errorf("playground: layer %s has no kernel or bias", l.Name)
		}
		kw := w.Float64s()
		in := w.Shape()[0]
		rows := make([][]float64, in)
		for r := range rows {
			rows[r] = finite(kw[r*l.Units : (r+1)*l.Units])
		}
		f.Weights = append(f.Weights, rows)
		f.Biases = append(f.Biases, finite(b.Float64s()))
	}
	norms, err := trainers.GradientNorms(s.model, s.data.train)
	if err != nil {
		return nil, err
	}
	for _, n := range norms {
		if strings.HasSuffix(n.Name, "/kernel") {
			f.GradientNorms = append(f.GradientNorms, finite([]float64{n.Norm})[0])
		}
	}
	f.Reading = reading(history, !s.data.regression, s.data.variance, f.GradientNorms, s.cfg.Activation)
	return f, nil
}

// neuronMaps returns the heat maps of a layer's units from their outputs
// on the output grid (units values per cell), and their ranges.
func neuronMaps(out []float32, units int) ([]string, [][2]float64) {
	maps := make([]string, units)
	ranges := make([][2]float64, units)
	for u := range units {
		lo, hi := math.Inf(1), math.Inf(-1)
		small := make([]float64, NeuronGridSize*NeuronGridSize)
		for r := range GridSize {
			for c := range GridSize {
				v := float64(out[(r*GridSize+c)*units+u])
				lo, hi = math.Min(lo, v), math.Max(hi, v)
				small[(r/2)*NeuronGridSize+c/2] += v / 4
			}
		}
		maps[u] = quantize(small)
		ranges[u] = [2]float64{finite([]float64{lo})[0], finite([]float64{hi})[0]}
	}
	return maps, ranges
}

// quantize encodes values in [-1, 1] as bytes b = round((v+1)·127.5),
// base64.
func quantize(values []float64) string {
	b := make([]byte, len(values))
	for i, v := range values {
		if math.IsNaN(v) {
			v = 0
		}
		b[i] = byte(math.Round((math.Max(-1, math.Min(1, v)) + 1) * 127.5))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// finite returns v with NaN and infinities replaced by 0 and ±MaxFloat64,
// which JSON can carry.
func finite(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		switch {
		case math.IsNaN(x):
		case math.IsInf(x, 1):
			out[i] = math.MaxFloat64
		case math.IsInf(x, -1):
			out[i] = -math.MaxFloat64
		default:
			out[i] = x
		}
	}
	return out
}
