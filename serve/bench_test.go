package serve

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/dlgo/dlgo/models"
)

// benchmarkInfer measures the handler alone (no network): decoding n MNIST
// sized samples, predicting with the MNIST MLP and encoding the answer.
func benchmarkInfer(b *testing.B, n int) {
	m, err := models.NewMLP(784, []models.Hidden{{Units: 128, Activation: models.ReLU}, {Units: 64, Activation: models.ReLU}},
		models.MulticlassOutput(10), models.WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(Config{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	srv.Add("mlp", m)
	rng := rand.New(rand.NewPCG(1, 1))
	body := []byte(`{"inputs":[{"name":"input","datatype":"FP32","shape":[` + strconv.Itoa(n) + `,784],"data":[`)
	for i := range n * 784 {
		if i > 0 {
			body = append(body, ',')
		}
		body = strconv.AppendFloat(body, float64(float32(rng.IntN(256))/255), 'g', -1, 32)
	}
	body = append(body, "]}]}"...)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/v2/models/mlp/infer", bytes.NewReader(body)))
		if w.Code != 200 {
			b.Fatal(w.Body.String())
		}
	}
}

func BenchmarkInfer1(b *testing.B)  { benchmarkInfer(b, 1) }
func BenchmarkInfer64(b *testing.B) { benchmarkInfer(b, 64) }
