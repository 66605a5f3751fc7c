package serve

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestMetrics(t *testing.T) {
	ms := testModels(t)
	_, ts := newTestServer(t, Config{}, ms)
	good := `{"inputs":[{"name":"input","datatype":"FP32","shape":[3,2],"data":[1,2,3,4,5,6]}]}`
	for range 2 {
		call(t, http.MethodPost, ts.URL+"/v2/models/binary/infer", []byte(good))
	}
	call(t, http.MethodPost, ts.URL+"/v2/models/binary/infer", []byte(`{`))
	call(t, http.MethodPost, ts.URL+"/v2/models/unknown-1/infer", []byte(good))
	call(t, http.MethodPost, ts.URL+"/v2/models/unknown-2/infer", []byte(good))
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	text := string(body)
	for _, want := range []string{
		`dlgo_requests_total{code="200",endpoint="infer",model="binary"} 2`,
		`dlgo_requests_total{code="400",endpoint="infer",model="binary"} 1`,
		`dlgo_request_errors_total{code="400",endpoint="infer",model="binary"} 1`,
		// Unknown names share one label value.
		`dlgo_requests_total{code="404",endpoint="infer",model=""} 2`,
		`dlgo_request_duration_seconds_count{endpoint="infer",model="binary"} 3`,
		`dlgo_samples_total{model="binary"} 6`,
		`dlgo_batch_samples_sum{model="binary"} 6`,
		`dlgo_model_loaded_timestamp_seconds{model="iris"}`,
		`go_goroutines`, `process_resident_memory_bytes`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, "unknown-1") {
		t.Error("an unknown model's name is a label value")
	}
}

// A program with a registry of its own gets the server's metrics on it;
// a second server on the same registry is an error, not a panic.
func TestMetricsOnAGivenRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv, err := New(Config{Registry: reg, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := New(Config{Registry: reg, Logger: quietLogger()}); err == nil {
		t.Error("two servers on one registry: no error")
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "go_") {
			t.Errorf("the server added Go's metrics (%s) to the program's registry", f.GetName())
		}
	}
}
