package onnx

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/dlgo/dlgo/serve"
	"github.com/sirupsen/logrus"
)

// An exported model has the input and outputs dlgo's server announces for
// the model, by name, type and shape: a client of cmd/serve works with the
// ONNX model on another server.
func TestOutputsAreTheServers(t *testing.T) {
	if OutputLogits != serve.OutputLogits || OutputProbabilities != serve.OutputProbabilities ||
		OutputPredictions != serve.OutputPredictions || OutputClass != serve.OutputClass || InputName != serve.InputName {
		t.Fatal("the onnx and serve packages name the tensors differently")
	}
	log := logrus.New()
	log.SetOutput(io.Discard)
	srv, err := serve.New(serve.Config{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	for i, c := range exportCases(t) {
		name := "m" + string(rune('a'+i))
		if err := srv.Add(name, c.m); err != nil {
			t.Fatal(err)
		}
		x, err := Export(c.m)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(ts.URL + "/v2/models/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var md struct {
			Inputs, Outputs []struct {
				Name     string `json:"name"`
				Datatype string `json:"datatype"`
				Shape    []int  `json:"shape"`
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&md)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		types := map[string]string{"FP32": "float32", "BYTES": "string"}
		check := func(kind string, served []struct {
			Name     string `json:"name"`
			Datatype string `json:"datatype"`
			Shape    []int  `json:"shape"`
		}, exported []Tensor) {
			if len(served) != len(exported) {
				t.Errorf("%s: the server has %d %s, the ONNX model %d", c.name, len(served), kind, len(exported))
				return
			}
			for j, s := range served {
				e := exported[j]
				if s.Name != e.Name || types[s.Datatype] != e.Type || !slices.Equal(s.Shape, e.Shape) {
					t.Errorf("%s: %s %d: served %+v, exported %v", c.name, kind, j, s, e)
				}
			}
		}
		check("inputs", md.Inputs, x.Inputs)
		check("outputs", md.Outputs, x.Outputs)
	}
}
