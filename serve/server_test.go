package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/tabular"
	"github.com/sirupsen/logrus"
)

// quietLogger discards the request log.
func quietLogger() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// testModels returns one model of each kind: a classifier with class and
// feature names, a single-sigmoid classifier, a regression with two
// targets and a small image classifier.
func testModels(t *testing.T) map[string]*models.Model {
	t.Helper()
	build := func(spec models.Spec, seed int64) *models.Model {
		m, err := models.New(spec, models.WithSeed(seed))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	clf := models.Sequential([]int{4}, models.Dense(8, models.ReLU), models.Dense(3, models.Softmax))
	clf.Features = []string{"sepal_length", "sepal_width", "petal_length", "petal_width"}
	clf.Classes = []string{"setosa", "versicolor", "virginica"}
	reg := models.Sequential([]int{3}, models.Dense(5, models.Tanh), models.Dense(2, models.Linear))
	reg.Targets = []string{"price", "rent"}
	return map[string]*models.Model{
		"iris":   build(clf, 1),
		"binary": build(models.Sequential([]int{2}, models.Dense(1, models.Sigmoid)), 2),
		"prices": build(reg, 3),
		"digits": build(models.Sequential([]int{1, 6, 6}, models.Conv2D(2, 3, models.ReLU), models.MaxPool2D(2),
			models.Flatten(), models.Dense(4, models.Softmax)), 4),
	}
}

func newTestServer(t *testing.T, cfg Config, ms map[string]*models.Model) (*Server, *httptest.Server) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range ms {
		if err := srv.Add(name, m); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return srv, ts
}

// call sends a request and decodes the JSON answer.
func call(t *testing.T, method, url string, body []byte) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); method != http.MethodHead && ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q; want application/json", method, url, ct)
	}
	var out map[string]any
	if method != http.MethodHead {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: answer %q is not JSON: %v", method, url, raw, err)
		}
	}
	return resp.StatusCode, out
}

// inferBody is a request for n samples of x.
func inferBody(shape []int, x []float32) []byte {
	b, _ := json.Marshal(map[string]any{"inputs": []map[string]any{{"name": "input", "datatype": "FP32", "shape": shape, "data": x}}})
	return b
}

func randomInput(m *models.Model, n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n*m.InputDim())
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

func floatsOf(t *testing.T, v any) []float32 {
	t.Helper()
	arr, ok := v.([]any)
	if !ok {
		t.Fatalf("data %v is not an array", v)
	}
	out := make([]float32, len(arr))
	for i, x := range arr {
		f, ok := x.(float64)
		if !ok {
			t.Fatalf("data[%d] = %v is not a number", i, x)
		}
		out[i] = float32(f)
	}
	return out
}

// outputs indexes an infer answer's outputs by name.
func outputs(t *testing.T, answer map[string]any) map[string]map[string]any {
	t.Helper()
	list, ok := answer["outputs"].([]any)
	if !ok {
		t.Fatalf("answer %v has no outputs", answer)
	}
	out := map[string]map[string]any{}
	for _, o := range list {
		m := o.(map[string]any)
		out[m["name"].(string)] = m
	}
	return out
}

// want is what Predict, Logits and PredictClasses say for x, as the
// server's outputs.
func want(t *testing.T, m *models.Model, x []float32) map[string][]float32 {
	t.Helper()
	logits, err := m.Logits(x)
	if err != nil {
		t.Fatal(err)
	}
	preds, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	w := map[string][]float32{OutputLogits: logits}
	if m.Spec().Task() == models.Regression {
		w[OutputPredictions] = preds
	} else {
		w[OutputProbabilities] = preds
	}
	return w
}

func TestInferMatchesPredict(t *testing.T) {
	ms := testModels(t)
	_, ts := newTestServer(t, Config{}, ms)
	for name, m := range ms {
		t.Run(name, func(t *testing.T) {
			const n = 3
			x := randomInput(m, n, 7)
			status, ans := call(t, http.MethodPost, ts.URL+"/v2/models/"+name+"/infer", inferBody(append([]int{n}, m.InputShape()...), x))
			if status != http.StatusOK {
				t.Fatalf("status %d: %v", status, ans)
			}
			if ans["model_name"] != name {
				t.Errorf("model_name %v; want %q", ans["model_name"], name)
			}
			outs := outputs(t, ans)
			for oname, w := range want(t, m, x) {
				o, ok := outs[oname]
				if !ok {
					t.Fatalf("no output %q in %v", oname, ans)
				}
				if got := floatsOf(t, o["data"]); !slices.Equal(got, w) {
					t.Errorf("output %s = %v; want %v", oname, got, w)
				}
				if o["datatype"] != "FP32" {
					t.Errorf("output %s datatype %v", oname, o["datatype"])
				}
				shape := o["shape"].([]any)
				if shape[0].(float64) != n || len(w) != n*int(product(shape[1:])) {
					t.Errorf("output %s shape %v for %d values", oname, shape, len(w))
				}
			}
			if m.Spec().Task() != models.Classification {
				if _, ok := outs[OutputClass]; ok {
					t.Errorf("a %s model answers a class", m.Spec().Task())
				}
				return
			}
			classes, _ := m.PredictClasses(x)
			o := outs[OutputClass]
			if o["datatype"] != "BYTES" {
				t.Errorf("class datatype %v; want BYTES", o["datatype"])
			}
			got := o["data"].([]any)
			for i, c := range classes {
				w := strconv.Itoa(c)
				if names := m.Spec().Classes; names != nil {
					w = names[c]
				}
				if got[i] != w {
					t.Errorf("sample %d: class %v; want %q", i, got[i], w)
				}
			}
		})
	}
}

func product(dims []any) float64 {
	p := 1.0
	for _, d := range dims {
		p *= d.(float64)
	}
	return p
}

// The protocol allows nested data, the request's id comes back, and a
// request may choose its outputs and their order.
func TestInferNestedDataOutputsAndID(t *testing.T) {
	ms := testModels(t)
	_, ts := newTestServer(t, Config{}, ms)
	m := ms["iris"]
	x := randomInput(m, 2, 3)
	body := fmt.Sprintf(`{"id": "req-1", "inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 4],
		"data": [[%v, %v, %v, %v], [%v, %v, %v, %v]]}], "outputs": [{"name": "class"}, {"name": "probabilities"}]}`,
		x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7])
	status, ans := call(t, http.MethodPost, ts.URL+"/v2/models/iris/infer", []byte(body))
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, ans)
	}
	if ans["id"] != "req-1" {
		t.Errorf("id %v; want req-1", ans["id"])
	}
	list := ans["outputs"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["name"] != "class" || list[1].(map[string]any)["name"] != "probabilities" {
		t.Fatalf("outputs %v; want class then probabilities", list)
	}
	if got, w := floatsOf(t, list[1].(map[string]any)["data"]), want(t, m, x)[OutputProbabilities]; !slices.Equal(got, w) {
		t.Errorf("probabilities %v; want %v", got, w)
	}
}

func TestMetadataAndHealth(t *testing.T) {
	ms := testModels(t)
	_, ts := newTestServer(t, Config{}, ms)
	status, md := call(t, http.MethodGet, ts.URL+"/v2/models/iris", nil)
	if status != http.StatusOK {
		t.Fatalf("metadata: status %d: %v", status, md)
	}
	js, _ := json.Marshal(md)
	for _, w := range []string{
		`"inputs":[{"datatype":"FP32","name":"input","shape":[-1,4]}]`,
		`{"datatype":"FP32","name":"logits","shape":[-1,3]}`,
		`{"datatype":"FP32","name":"probabilities","shape":[-1,3]}`,
		`{"datatype":"BYTES","name":"class","shape":[-1]}`,
		`"classes":["setosa","versicolor","virginica"]`,
		`"features":["sepal_length","sepal_width","petal_length","petal_width"]`,
		`"task":"classification"`, `"name":"iris"`, `"platform":"dlgo"`,
	} {
		if !strings.Contains(string(js), w) {
			t.Errorf("metadata %s lacks %s", js, w)
		}
	}
	_, md = call(t, http.MethodGet, ts.URL+"/v2/models/digits", nil)
	if js, _ := json.Marshal(md["inputs"]); string(js) != `[{"datatype":"FP32","name":"input","shape":[-1,1,6,6]}]` {
		t.Errorf("digits input %s", js)
	}
	_, md = call(t, http.MethodGet, ts.URL+"/v2/models/binary", nil)
	if js, _ := json.Marshal(md["outputs"]); !strings.Contains(string(js), `{"datatype":"FP32","name":"probabilities","shape":[-1,2]}`) {
		t.Errorf("a single sigmoid unit's probabilities are not two columns: %s", js)
	}
	for _, tc := range []struct {
		path   string
		status int
		field  string
		value  any
	}{
		{"/v2/health/live", 200, "live", true},
		{"/v2/health/ready", 200, "ready", true},
		{"/v2/models/iris/ready", 200, "ready", true},
		{"/v2", 200, "name", "dlgo"},
		{"/v2/", 200, "name", "dlgo"},
	} {
		status, ans := call(t, http.MethodGet, ts.URL+tc.path, nil)
		if status != tc.status || ans[tc.field] != tc.value {
			t.Errorf("GET %s = %d %v; want %d with %s %v", tc.path, status, ans, tc.status, tc.field, tc.value)
		}
	}
	if status, _ := call(t, http.MethodHead, ts.URL+"/v2/health/live", nil); status != 200 {
		t.Errorf("HEAD /v2/health/live = %d", status)
	}

	// No model yet: live, but not ready.
	_, empty := newTestServer(t, Config{}, nil)
	if status, _ := call(t, http.MethodGet, empty.URL+"/v2/health/ready", nil); status != http.StatusServiceUnavailable {
		t.Errorf("ready with no model: %d; want 503", status)
	}
}

// Every bad request gets the protocol's JSON error with its status, and
// the server goes on serving.
func TestErrors(t *testing.T) {
	ms := testModels(t)
	_, ts := newTestServer(t, Config{MaxBodyBytes: 4096, MaxSamples: 10}, ms)
	good := `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,2],"data":[0.5,-1]}]}`
	big := `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,2],"data":[0.5,-1` + strings.Repeat(" ", 5000) + `]}]}`
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		msg                      string
	}{
		{"malformed JSON", "POST", "/v2/models/binary/infer", `{"inputs": [`, 400, "malformed request"},
		{"not an object", "POST", "/v2/models/binary/infer", `[1, 2]`, 400, "malformed request"},
		{"no inputs", "POST", "/v2/models/binary/infer", `{"inputs": []}`, 400, "0 inputs"},
		{"two inputs", "POST", "/v2/models/binary/infer", `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,2],"data":[1,2]},{"name":"input","datatype":"FP32","shape":[1,2],"data":[1,2]}]}`, 400, "2 inputs"},
		{"wrong name", "POST", "/v2/models/binary/infer", strings.Replace(good, `"input"`, `"x"`, 1), 400, `unknown input "x"`},
		{"wrong datatype", "POST", "/v2/models/binary/infer", strings.Replace(good, "FP32", "INT64", 1), 400, `datatype "INT64"`},
		{"wrong shape", "POST", "/v2/models/binary/infer", strings.Replace(good, "[1,2]", "[1,3]", 1), 400, "takes [-1 2]"},
		{"no batch dimension", "POST", "/v2/models/binary/infer", strings.Replace(good, "[1,2]", "[2]", 1), 400, "takes [-1 2]"},
		{"zero samples", "POST", "/v2/models/binary/infer", strings.Replace(good, "[1,2]", "[0,2]", 1), 400, "takes [-1 2]"},
		{"huge shape", "POST", "/v2/models/binary/infer", strings.Replace(good, "[1,2]", "[1,9223372036854775807]", 1), 400, "takes [-1 2]"},
		{"too few values", "POST", "/v2/models/binary/infer", strings.Replace(good, "0.5,-1", "0.5", 1), 400, "holds 2 values, but the data has 1"},
		{"a string in the data", "POST", "/v2/models/binary/infer", strings.Replace(good, "0.5", `"a"`, 1), 400, "element 0 is not a number"},
		{"null in the data", "POST", "/v2/models/binary/infer", strings.Replace(good, "-1", `null`, 1), 400, "element 1 is not a number"},
		{"beyond FP32", "POST", "/v2/models/binary/infer", strings.Replace(good, "-1", `1e40`, 1), 400, "beyond the range of FP32"},
		{"no data", "POST", "/v2/models/binary/infer", `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,2]}]}`, 400, "no data"},
		{"binary data", "POST", "/v2/models/binary/infer", `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,2],"parameters":{"binary_data_size":8}}]}`, 400, "binary tensor data"},
		{"unknown output", "POST", "/v2/models/binary/infer", strings.Replace(good, "]}]}", `]}],"outputs":[{"name":"proba"}]}`, 1), 400, `unknown output "proba"`},
		{"too many samples", "POST", "/v2/models/binary/infer", strings.Replace(good, "[1,2]", "[11,2]", 1), 413, "the limit is 10"},
		{"body too large", "POST", "/v2/models/binary/infer", big, 413, "the limit"},
		{"unknown model", "POST", "/v2/models/nope/infer", good, 404, `no model "nope"`},
		{"unknown model metadata", "GET", "/v2/models/nope", "", 404, `no model "nope"`},
		{"unknown model ready", "GET", "/v2/models/nope/ready", "", 404, `no model "nope"`},
		{"unknown endpoint", "GET", "/v1/models/binary", "", 404, "no endpoint"},
		{"GET infer", "GET", "/v2/models/binary/infer", "", 405, "takes POST"},
		{"POST metadata", "POST", "/v2/models/binary", good, 405, "takes GET"},
		{"rows for a model without features", "POST", "/v2/models/digits/rows", `{"rows":[{"a":1}]}`, 400, "no named features"},
		{"rows: malformed", "POST", "/v2/models/iris/rows", `{"rows": {}}`, 400, "malformed request"},
		{"rows: none", "POST", "/v2/models/iris/rows", `{"rows": []}`, 400, "no rows"},
		{"rows: missing feature", "POST", "/v2/models/iris/rows", `{"rows":[{"sepal_length":1,"sepal_width":2,"petal_length":3}]}`, 400, `row 0: no value for feature "petal_width"`},
		{"rows: unknown feature", "POST", "/v2/models/iris/rows", `{"rows":[{"sepal_length":1,"sepal_width":2,"petal_length":3,"petal_width":4,"colour":5}]}`, 400, `row 0: unknown feature "colour"`},
		{"rows: a string", "POST", "/v2/models/iris/rows", `{"rows":[{"sepal_length":"long","sepal_width":2,"petal_length":3,"petal_width":4}]}`, 400, `feature "sepal_length" is a string; this model takes a number`},
		{"rows: null", "POST", "/v2/models/iris/rows", `{"rows":[{"sepal_length":null,"sepal_width":2,"petal_length":3,"petal_width":4}]}`, 400, "missing values are not supported"},
		{"rows: too many", "POST", "/v2/models/iris/rows", `{"rows":[` + strings.Repeat(`{"sepal_length":1,"sepal_width":2,"petal_length":3,"petal_width":4},`, 10) + `{"sepal_length":1,"sepal_width":2,"petal_length":3,"petal_width":4}]}`, 413, "the limit is 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ans := call(t, tc.method, ts.URL+tc.path, []byte(tc.body))
			msg, _ := ans["error"].(string)
			if status != tc.status || !strings.Contains(msg, tc.msg) {
				t.Errorf("%s %s = %d %q; want %d with %q", tc.method, tc.path, status, msg, tc.status, tc.msg)
			}
			if status, ans := call(t, "POST", ts.URL+"/v2/models/binary/infer", []byte(good)); status != 200 {
				t.Errorf("after it, a good request got %d %v", status, ans)
			}
		})
	}
}

func TestRowsMatchPredict(t *testing.T) {
	ms := testModels(t)
	_, ts := newTestServer(t, Config{}, ms)
	m := ms["iris"]
	body := `{"rows": [{"petal_width": 0.2, "sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4},
		{"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.2, "petal_width": 2.3}]}`
	status, ans := call(t, http.MethodPost, ts.URL+"/v2/models/iris/rows", []byte(body))
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, ans)
	}
	x := []float32{5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3}
	probs, _ := m.Predict(x)
	classes, _ := m.PredictClasses(x)
	rows := ans["rows"].([]any)
	if len(rows) != 2 {
		t.Fatalf("%d rows; want 2", len(rows))
	}
	names := m.Spec().Classes
	for i, r := range rows {
		row := r.(map[string]any)
		if row["class"] != names[classes[i]] {
			t.Errorf("row %d: class %v; want %s", i, row["class"], names[classes[i]])
		}
		p := row["probabilities"].(map[string]any)
		for j, c := range names {
			if float32(p[c].(float64)) != probs[3*i+j] {
				t.Errorf("row %d: P(%s) = %v; want %v", i, c, p[c], probs[3*i+j])
			}
		}
	}

	// A multi-label model names its probabilities by target, and lists
	// the labels of probability 1/2 or more.
	ml, err := models.New(models.Spec{Name: "ml", Input: []int{2}, Features: []string{"a", "b"}, Targets: []string{"u", "v"},
		Layers: []models.LayerSpec{models.Dense(2, models.Sigmoid)}}, models.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := ml.Param("dense_1/kernel").SetFloat64s([]float64{3, -3, 0, 0}); err != nil {
		t.Fatal(err)
	}
	_, ts3 := newTestServer(t, Config{}, map[string]*models.Model{"ml": ml})
	status, ans = call(t, http.MethodPost, ts3.URL+"/v2/models/ml/rows", []byte(`{"rows":[{"a":1,"b":0},{"a":-1,"b":0}]}`))
	if status != http.StatusOK {
		t.Fatalf("multi-label rows: status %d: %v", status, ans)
	}
	pml, _ := ml.Predict([]float32{1, 0, -1, 0})
	for i, want := range [][]any{{"u"}, {"v"}} {
		row := ans["rows"].([]any)[i].(map[string]any)
		if got := row["labels"]; !reflect.DeepEqual(got, want) {
			t.Errorf("multi-label row %d: labels %v; want %v (probabilities %v)", i, got, want, pml[2*i:2*i+2])
		}
		p := row["probabilities"].(map[string]any)
		if float32(p["u"].(float64)) != pml[2*i] || float32(p["v"].(float64)) != pml[2*i+1] {
			t.Errorf("multi-label row %d: probabilities %v; want %v", i, p, pml[2*i:2*i+2])
		}
	}

	// A regression model names its predictions by target.
	reg, err := models.New(models.Spec{Name: "r", Input: []int{2}, Features: []string{"a", "b"}, Targets: []string{"y"},
		Layers: []models.LayerSpec{models.Dense(1, models.Linear)}}, models.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	_, ts2 := newTestServer(t, Config{}, map[string]*models.Model{"r": reg})
	_, ans = call(t, http.MethodPost, ts2.URL+"/v2/models/r/rows", []byte(`{"rows":[{"a":1,"b":2}]}`))
	y, _ := reg.Predict([]float32{1, 2})
	if got := ans["rows"].([]any)[0].(map[string]any)["predictions"].(map[string]any)["y"]; float32(got.(float64)) != y[0] {
		t.Errorf("regression row: y = %v; want %v", got, y[0])
	}
}

// Concurrent requests, batched together, get the same answers as
// sequential Predict calls.
func TestConcurrentRequestsMatchPredict(t *testing.T) {
	ms := testModels(t)
	_, ts := newTestServer(t, Config{MaxBatch: 8, BatchWindow: time.Millisecond}, ms)
	type call struct {
		name string
		body []byte
		want []float32
	}
	var calls []call
	for name, m := range ms {
		for i, n := range []int{1, 2, 5, 9} {
			x := randomInput(m, n, uint64(i))
			body := inferBody(append([]int{n}, m.InputShape()...), x)
			body = append(body[:len(body)-1], `,"outputs":[{"name":"logits"}]}`...)
			calls = append(calls, call{name, body, want(t, m, x)[OutputLogits]})
		}
	}
	const goroutines, rounds = 16, 6
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*rounds)
	for g := range goroutines {
		wg.Go(func() {
			for r := range rounds {
				c := calls[(g*rounds+r)%len(calls)]
				resp, err := http.Post(ts.URL+"/v2/models/"+c.name+"/infer", "application/json", bytes.NewReader(c.body))
				if err != nil {
					errs <- err
					return
				}
				var ans struct {
					Outputs []struct {
						Name string    `json:"name"`
						Data []float32 `json:"data"`
					} `json:"outputs"`
				}
				err = json.NewDecoder(resp.Body).Decode(&ans)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					errs <- fmt.Errorf("%s: status %d, %v", c.name, resp.StatusCode, err)
					return
				}
				if !slices.Equal(ans.Outputs[0].Data, c.want) {
					errs <- fmt.Errorf("%s: logits %v; want %v", c.name, ans.Outputs[0].Data, c.want)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A model trained on a table takes its raw columns at the rows endpoint and
// encodes them as cmd/infer does: categories one-hot, missing values
// imputed, an unseen category all zeros with a warning.
func TestRowsOfATableModel(t *testing.T) {
	enc := &tabular.Encoding{
		Columns: []tabular.Column{
			{Name: "id", Kind: tabular.Dropped, Why: "identifier"},
			{Name: "size", Kind: tabular.Number, Fill: "2.5"},
			{Name: "city", Kind: tabular.Category, Categories: []string{"paris", "rennes"}, Fill: "rennes"},
		},
		Targets: []string{"price"},
		Missing: []string{"", "NA"},
	}
	m, err := models.New(models.Spec{Name: "houses", Input: []int{3}, Features: enc.Features(), Targets: []string{"price"},
		Layers: []models.LayerSpec{models.Dense(1, models.Linear)}}, models.WithSeed(1), models.WithTable(enc))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Param("dense_1/kernel").SetFloat64s([]float64{1, 10, 100}); err != nil {
		t.Fatal(err)
	}
	_, ts := newTestServer(t, Config{}, map[string]*models.Model{"houses": m})
	body := `{"rows":[{"id":"a1","size":3,"city":"paris"},{"size":null,"city":"rennes"},{"size":"4","city":"lyon","price":9}]}`
	status, ans := call(t, http.MethodPost, ts.URL+"/v2/models/houses/rows", []byte(body))
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, ans)
	}
	// size, city=paris, city=rennes: the second row's size imputed, the
	// third's city unseen.
	want, _ := m.Predict([]float32{3, 1, 0, 2.5, 0, 1, 4, 0, 0})
	for i, r := range ans["rows"].([]any) {
		got := r.(map[string]any)["predictions"].(map[string]any)["price"].(float64)
		if float32(got) != want[i] {
			t.Errorf("row %d: price %v; want %v", i, got, want[i])
		}
	}
	warnings, _ := ans["warnings"].([]any)
	if len(warnings) != 1 || !strings.Contains(warnings[0].(string), `category "lyon" was not seen in training`) {
		t.Errorf("warnings %v; want one about the unseen category", ans["warnings"])
	}
	for _, c := range []struct{ body, want string }{
		{`{"rows":[{"size":3}]}`, `row 0: no value for feature "city"`},
		{`{"rows":[{"size":3,"city":"paris","colour":"red"}]}`, `row 0: unknown feature "colour"`},
	} {
		status, ans := call(t, http.MethodPost, ts.URL+"/v2/models/houses/rows", []byte(c.body))
		if msg, _ := ans["error"].(string); status != http.StatusBadRequest || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %v; want 400 with %q", c.body, status, ans, c.want)
		}
	}
	_, meta := call(t, http.MethodGet, ts.URL+"/v2/models/houses", nil)
	if cols := meta["parameters"].(map[string]any)["columns"]; !reflect.DeepEqual(cols, []any{"size", "city"}) {
		t.Errorf("metadata columns %v; want [size city]", cols)
	}
}
