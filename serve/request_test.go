package serve

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"testing"
)

// referenceDecode decodes a request with encoding/json alone, as the
// protocol's JSON says, for comparison.
func referenceDecode(body []byte) (*inferRequest, error) {
	var r struct {
		ID     string `json:"id"`
		Inputs []struct {
			Name       string                     `json:"name"`
			Shape      []int64                    `json:"shape"`
			Datatype   string                     `json:"datatype"`
			Parameters map[string]json.RawMessage `json:"parameters"`
			Data       json.RawMessage            `json:"data"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, err
	}
	req := &inferRequest{ID: r.ID}
	for _, in := range r.Inputs {
		ri := requestInput{Name: in.Name, Shape: in.Shape, Datatype: in.Datatype, Parameters: in.Parameters, HasData: in.Data != nil}
		if in.Data != nil {
			var nested any
			json.Unmarshal(in.Data, &nested)
			ri.Data, ri.DataErr = flatten(nil, nested)
		}
		req.Inputs = append(req.Inputs, ri)
	}
	return req, nil
}

// flatten collects the numbers of nested arrays, or says it found
// something else.
func flatten(dst []float32, v any) ([]float32, error) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			var err error
			if dst, err = flatten(dst, e); err != nil {
				return nil, err
			}
		}
		return dst, nil
	case float64:
		if math.Abs(v) > math.MaxFloat32 {
			return nil, errNotNumbers
		}
		return append(dst, float32(v)), nil
	}
	return nil, errNotNumbers
}

var errNotNumbers = jsonError("not numbers")

type jsonError string

func (e jsonError) Error() string { return string(e) }

var requestSeeds = []string{
	`{"inputs":[{"name":"input","datatype":"FP32","shape":[1,2],"data":[0.5,-1]}]}`,
	`{"id":"a\"b","parameters":{"x":[1,{"y":"]"}]},"inputs":[{"shape":[2,2],"name":"input","data":[[1,2],[3e-3,4E+2]],"datatype":"FP32","parameters":{}}],"outputs":[{"name":"class"}]}`,
	` { "inputs" : [ { "name" : "input" , "data" : [ 1 , 2 ] } ] , "extra" : null } `,
	`{"inputs":[{"name":"input","data":["a",1]}]}`,
	`{"inputs":[{"name":"input","data":[1,]}]}`,
	`{"inputs":[{"name":"input","data":[[1],[2]]}, {"name":"second","data":[]}]}`,
	`{"inputs":[]}`,
	`{"inputs": [`,
	`[1,2]`,
	`{"inputs":[{"data":[1e40]}]}`,
	`{"id":1}`,
	`{"inputs":[{"name":"input","data":[1,2]}]} x`,
}

// The one-pass decoder reads what encoding/json reads.
func TestDecodeInferRequestMatchesEncodingJSON(t *testing.T) {
	for _, body := range requestSeeds {
		checkDecode(t, []byte(body))
	}
}

// sameFloats compares numbers parsed straight to float32 with numbers
// parsed to float64 and rounded again, which may differ by one ulp.
func sameFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && math.Nextafter32(a[i], b[i]) != b[i] {
			return false
		}
	}
	return true
}

func FuzzDecodeInferRequest(f *testing.F) {
	for _, s := range requestSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkDecode)
}

func checkDecode(t *testing.T, body []byte) {
	// encoding/json matches keys whatever their case; the protocol, and
	// the decoder, take them as written.
	for _, k := range []string{`"id"`, `"inputs"`, `"name"`, `"shape"`, `"datatype"`, `"parameters"`, `"data"`} {
		if bytes.Count(bytes.ToLower(body), []byte(k)) != bytes.Count(body, []byte(k)) {
			return
		}
	}
	got, err := decodeInferRequest(body)
	want, werr := referenceDecode(body)
	if (err == nil) != (werr == nil) {
		// encoding/json rejects invalid data inside "data" that the
		// scanner reports later, as the input's data error: that one is
		// not a disagreement.
		if err == nil && werr != nil && len(got.Inputs) > 0 && slices.ContainsFunc(got.Inputs, func(in requestInput) bool { return in.DataErr != nil }) {
			return
		}
		t.Fatalf("decode %q: error %v; encoding/json: %v", body, err, werr)
	}
	if err != nil {
		return
	}
	if got.ID != want.ID || len(got.Inputs) != len(want.Inputs) {
		t.Fatalf("decode %q: id %q, %d inputs; encoding/json: %q, %d", body, got.ID, len(got.Inputs), want.ID, len(want.Inputs))
	}
	for i, g := range got.Inputs {
		w := want.Inputs[i]
		if g.Name != w.Name || g.Datatype != w.Datatype || !slices.Equal(g.Shape, w.Shape) || g.HasData != w.HasData {
			t.Fatalf("decode %q: input %d = %+v; encoding/json: %+v", body, i, g, w)
		}
		if (g.DataErr == nil) != (w.DataErr == nil) {
			t.Fatalf("decode %q: input %d data error %v; encoding/json: %v", body, i, g.DataErr, w.DataErr)
		}
		if g.DataErr == nil && !sameFloats(g.Data, w.Data) {
			t.Fatalf("decode %q: data %v; encoding/json: %v", body, g.Data, w.Data)
		}
	}
}
