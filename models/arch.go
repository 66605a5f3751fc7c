package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Architecture is what an architecture file describes: the layers and the
// loss of a model, in the vocabulary of a Spec, without the input shape
// (it comes from the data) or the names of features and classes. A model
// file's "spec" is also an architecture.
//
//	{
//	  "name": "small-cnn",
//	  "layers": [
//	    {"type": "conv2d", "filters": 16, "kernel": 3, "padding": "same", "activation": "relu"},
//	    {"type": "maxpool2d", "kernel": 2},
//	    {"type": "flatten"},
//	    {"type": "dense", "units": 10, "activation": "softmax"}
//	  ],
//	  "loss": "categorical_crossentropy"
//	}
//
// An autoencoder's architecture says "target": "input" (and may name its
// "latent" layer and a "loss_reduction"), as a Spec does.
type Architecture struct {
	Name          string      `json:"name,omitempty"`
	DType         string      `json:"dtype,omitempty"`
	Layers        []LayerSpec `json:"layers"`
	Loss          Loss        `json:"loss,omitempty"`
	Target        string      `json:"target,omitempty"`
	LossReduction string      `json:"loss_reduction,omitempty"`
	Latent        string      `json:"latent,omitempty"`
}

// ReadArchitecture reads an architecture as JSON from r. Unknown fields
// are errors, so that a misspelt setting is not silently ignored; the
// fields a model file's spec has beyond an architecture's (input,
// features, targets, classes) are accepted and ignored.
func ReadArchitecture(r io.Reader) (Architecture, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxManifest+1))
	if err != nil {
		return Architecture{}, err
	}
	if len(data) > maxManifest {
		return Architecture{}, fmt.Errorf("an architecture is at most %d bytes", maxManifest)
	}
	var a struct {
		Architecture
		Input    []int    `json:"input"`
		Features []string `json:"features"`
		Targets  []string `json:"targets"`
		Classes  []string `json:"classes"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n")) + 1
			return Architecture{}, fmt.Errorf("line %d: %w", line, err)
		}
		return Architecture{}, err
	}
	if len(a.Layers) == 0 {
		return Architecture{}, errors.New(`no layers: want {"layers": [{"type": "dense", "units": 10, "activation": "softmax"}, ...]}`)
	}
	return a.Architecture, nil
}

// LoadArchitecture reads an architecture file.
func LoadArchitecture(path string) (Architecture, error) {
	f, err := os.Open(path)
	if err != nil {
		return Architecture{}, fmt.Errorf("models: %w", err)
	}
	defer f.Close()
	a, err := ReadArchitecture(f)
	if err != nil {
		return Architecture{}, fmt.Errorf("models: architecture %s: %w", path, err)
	}
	return a, nil
}

// Spec returns the spec of a model with this architecture for samples of
// shape input.
func (a Architecture) Spec(input []int) Spec {
	name := a.Name
	if name == "" {
		name = "model"
	}
	return Spec{Name: name, DType: a.DType, Input: input, Layers: a.Layers, Loss: a.Loss,
		Target: a.Target, LossReduction: a.LossReduction, Latent: a.Latent}
}
