package models

import (
	"encoding/json"
	"strings"
	"testing"
)

const smallCNN = `{
  "name": "small-cnn",
  "layers": [
    {"type": "conv2d", "filters": 4, "kernel": 3, "padding": "same", "activation": "relu"},
    {"type": "batchnorm"},
    {"type": "maxpool2d", "kernel": 2},
    {"type": "flatten"},
    {"type": "dropout", "rate": 0.25},
    {"type": "dense", "units": 3, "activation": "softmax"}
  ],
  "loss": "sparse_categorical_crossentropy"
}`

func TestReadArchitecture(t *testing.T) {
	a, err := ReadArchitecture(strings.NewReader(smallCNN))
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(a.Spec([]int{1, 8, 8}))
	if err != nil {
		t.Fatal(err)
	}
	s := m.Spec()
	if s.Name != "small-cnn" || s.Loss != CategoricalCrossEntropy || s.Layers[0].Padding != Same || s.Units() != 3 || s.Task() != Classification {
		t.Errorf("spec %+v", s)
	}
	if got := m.layers[0].outShape(); got[1] != 8 || got[2] != 8 {
		t.Errorf("same padding gives %v; want 8×8", got)
	}
	// A model file's spec reads as an architecture.
	js, err := specJSON(s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadArchitecture(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Layers) != len(a.Layers) || b.Loss != s.Loss {
		t.Errorf("a spec read back as an architecture: %+v", b)
	}
}

func TestReadArchitectureErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"layers": [{"type": "conv2d", "filter": 3}]}`, `unknown field "filter"`},
		{`{"layers": []}`, "no layers"},
		{"{\n\"layers\": [\n{\"type\": \"dense\",, }]}", "line 3"},
		{`{"layers": [{"type": "conv2d", "padding": "full"}]}`, `padding "full"`},
	} {
		if _, err := ReadArchitecture(strings.NewReader(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadArchitecture(%s): error %v; want one containing %q", tt.in, err, tt.want)
		}
	}
}

func specJSON(s Spec) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}
