package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
)

// infer answers POST /v2/models/{name}/infer.
func (s *Server) infer(w *reply, r *http.Request) {
	e := s.lookup(w, r)
	if e == nil {
		return
	}
	t := e.batcher.arrive()
	defer t.done()
	sv := e.current.Load()
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeInferRequest(body)
	if err != nil {
		w.fail(http.StatusBadRequest, fmt.Sprintf("malformed request: %v", err))
		return
	}
	x, n, status, err := s.decodeInput(sv, req)
	if err != nil {
		w.fail(status, err.Error())
		return
	}
	outputs, err := requestedOutputs(sv, req)
	if err != nil {
		w.fail(http.StatusBadRequest, err.Error())
		return
	}
	logits, ok := s.predict(w, r, e, t, sv, x, n)
	if !ok {
		return
	}
	res := sv.resultOf(logits, n)
	b := make([]byte, 0, 64+16*len(logits)*len(outputs))
	b = append(b, `{"model_name":`...)
	b = appendJSON(b, sv.name)
	b = append(b, `,"model_version":"1"`...)
	if req.ID != "" {
		b = append(b, `,"id":`...)
		b = appendJSON(b, req.ID)
	}
	b = append(b, `,"outputs":[`...)
	for i, o := range outputs {
		if i > 0 {
			b = append(b, ',')
		}
		b = sv.appendOutput(b, o, res)
	}
	w.json(http.StatusOK, append(b, "]}"...))
}

// decodeInput checks a request's input tensor against the model and
// returns its values and number of samples, or the status and error to
// answer.
func (s *Server) decodeInput(sv *served, req *inferRequest) ([]float32, int, int, error) {
	bad := func(format string, args ...any) ([]float32, int, int, error) {
		return nil, 0, http.StatusBadRequest, fmt.Errorf(format, args...)
	}
	if len(req.Inputs) != 1 {
		return bad("the request has %d inputs; model %s takes one, %q", len(req.Inputs), sv.name, InputName)
	}
	in := &req.Inputs[0]
	want := append([]int{-1}, sv.spec.Input...)
	if in.Name != InputName {
		return bad("unknown input %q: model %s takes one input, %q", in.Name, sv.name, InputName)
	}
	if in.Datatype != typeFP32 {
		return bad("input %q has datatype %q; the model takes %s", in.Name, in.Datatype, typeFP32)
	}
	if _, ok := in.Parameters["binary_data_size"]; ok {
		return bad("input %q: binary tensor data is not supported; send the data as JSON", in.Name)
	}
	if len(in.Shape) != len(want) || !slices.Equal(toInts(in.Shape[1:]), sv.spec.Input) || in.Shape[0] < 1 {
		return bad("input %q has shape %v; model %s takes %v (any number of samples ≥ 1 first)", in.Name, in.Shape, sv.name, want)
	}
	if in.Shape[0] > int64(s.cfg.MaxSamples) {
		return nil, 0, http.StatusRequestEntityTooLarge, fmt.Errorf("%d samples in one request; the limit is %d", in.Shape[0], s.cfg.MaxSamples)
	}
	n := int(in.Shape[0])
	dim := sv.model.InputDim()
	switch {
	case !in.HasData:
		return bad("input %q has no data", in.Name)
	case in.DataErr != nil:
		return bad("input %q: %v", in.Name, in.DataErr)
	case len(in.Data) != n*dim:
		return bad("input %q: shape %v holds %d values, but the data has %d", in.Name, in.Shape, n*dim, len(in.Data))
	}
	return in.Data, n, 0, nil
}

// toInts converts a shape, clamping sizes that do not fit an int (they
// cannot match a model's anyway).
func toInts(shape []int64) []int {
	out := make([]int, len(shape))
	for i, d := range shape {
		out[i] = int(max(-1, min(d, 1<<31)))
	}
	return out
}

// requestedOutputs returns the outputs a request asks for, in its order,
// or all of the model's when it names none.
func requestedOutputs(sv *served, req *inferRequest) ([]tensorInfo, error) {
	if len(req.Outputs) == 0 {
		return sv.outputs, nil
	}
	var out []tensorInfo
	for _, o := range req.Outputs {
		info, ok := sv.output(o.Name)
		if !ok {
			return nil, fmt.Errorf("unknown output %q: model %s gives %s", o.Name, sv.name, sv.outputNames())
		}
		if _, ok := o.Parameters["binary_data"]; ok && !bytes.Equal(bytes.TrimSpace(o.Parameters["binary_data"]), []byte("false")) {
			return nil, fmt.Errorf("output %q: binary tensor data is not supported", o.Name)
		}
		out = append(out, info)
	}
	return out, nil
}

// rows answers POST /v2/models/{name}/rows: {"rows": [{feature: value}]}.
func (s *Server) rows(w *reply, r *http.Request) {
	e := s.lookup(w, r)
	if e == nil {
		return
	}
	t := e.batcher.arrive()
	defer t.done()
	sv := e.current.Load()
	if sv.columns == nil {
		w.fail(http.StatusBadRequest, fmt.Sprintf("model %s has no named features (input %v): send tensors to /v2/models/%s/infer", sv.name, sv.spec.Input, sv.name))
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	var req rowsRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		w.fail(http.StatusBadRequest, fmt.Sprintf(`malformed request: %v; want {"rows": [{%s: ...}, ...]}`, err, strconv.Quote(sv.columns[0].name)))
		return
	}
	if len(req.Rows) == 0 {
		w.fail(http.StatusBadRequest, `no rows: want {"rows": [{feature: value, ...}, ...]}`)
		return
	}
	if !s.checkSamples(w, len(req.Rows)) {
		return
	}
	x, warnings, err := sv.decodeRows(req.Rows)
	if err != nil {
		w.fail(http.StatusBadRequest, err.Error())
		return
	}
	logits, ok := s.predict(w, r, e, t, sv, x, len(req.Rows))
	if !ok {
		return
	}
	b := append([]byte(`{"model_name":`), appendJSON(nil, sv.name)...)
	b = append(b, `,"rows":`...)
	b = sv.appendRows(b, sv.resultOf(logits, len(req.Rows)))
	if len(warnings) > 0 {
		b = append(b, `,"warnings":[`...)
		for i, m := range warnings {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, m)
		}
		b = append(b, ']')
	}
	w.json(http.StatusOK, append(b, '}'))
}

// readAll reads r, sizing its buffer from the request's Content-Length
// when it has one, up to 1 MiB at first: a client that announces a large
// body it does not send holds no more.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 {
		return io.ReadAll(r)
	}
	buf := bytes.NewBuffer(make([]byte, 0, min(size+1, 1<<20)))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}
