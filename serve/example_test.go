package serve_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/serve"
	"github.com/sirupsen/logrus"
)

// A model served in a program's own mux, and one prediction.
func Example() {
	spec := models.Sequential([]int{2}, models.Dense(3, models.Softmax))
	spec.Classes = []string{"red", "green", "blue"}
	m, err := models.New(spec, models.WithSeed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	log := logrus.New()
	log.SetOutput(io.Discard)
	srv, err := serve.New(serve.Config{Logger: log})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	if err := srv.Add("colours", m); err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/v2/", srv)
	ts := httptest.NewServer(mux)
	defer ts.Close()

	resp, err := http.Post(ts.URL+"/v2/models/colours/infer", "application/json", strings.NewReader(
		`{"inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 2], "data": [1, 0, 0, 1]}],
		  "outputs": [{"name": "class"}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Println(string(body))
	// Output:
	// 200 OK
	// {"model_name":"colours","model_version":"1","outputs":[{"name":"class","datatype":"BYTES","shape":[2],"data":["green","red"]}]}
}
