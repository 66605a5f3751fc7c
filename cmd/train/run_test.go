package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// runIn runs the command with args and returns its stdout and stderr.
func runIn(t *testing.T, ctx context.Context, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	clock := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	err := run(ctx, args, env{stdout: &stdout, stderr: &stderr, now: func() time.Time {
		clock = clock.Add(10 * time.Millisecond)
		return clock
	}})
	return stdout.String(), stderr.String(), err
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func readMetrics(t *testing.T, dir string) metricsDoc {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, metricsFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc metricsDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestTrainMoons(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	stdout, _, err := runIn(t, context.Background(), "-data", "moons", "-n", "300", "-hidden", "16,16", "-epochs", "30", "-lr", "0.01", "-out", dir)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	for _, want := range []string{`Model: "mlp"`, "normalization_1 (Normalization)", "Epoch 30/30 - 9/9 - ", "val_accuracy: ", "Saved in " + dir} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.ContainsAny(stdout, "\r\x1b") {
		t.Error("stdout is not a terminal but has control characters")
	}
	rows := readCSV(t, filepath.Join(dir, historyFile))
	if len(rows) != 31 || strings.Join(rows[0], ",") != "epoch,accuracy,loss,val_accuracy,val_loss,seconds" {
		t.Errorf("history.csv has %d rows, header %v; want 31 and the Keras names", len(rows), rows[0])
	}
	doc := readMetrics(t, dir)
	if doc.Train["accuracy"] < 0.95 || doc.Validation["accuracy"] < 0.9 || doc.EpochsRun != 30 || doc.Seed != 1 ||
		len(doc.DataSHA256) != 64 || doc.Samples["train"] != 270 || doc.Settings.Hidden != "16,16" || doc.Versions["go"] == "" {
		t.Errorf("metrics.json = %+v", doc)
	}
	for _, name := range []string{"loss.png", "accuracy.png", "decision_regions.png", "confusion_matrix.png"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() < 500 {
			t.Errorf("%s is not a PNG plot: %v", name, err)
		}
	}
	m, err := models.Load(filepath.Join(dir, modelFile))
	if err != nil {
		t.Fatal(err)
	}
	if m.Meta.Metrics["val_accuracy"] != doc.Validation["accuracy"] || m.Meta.Settings["data"] != "moons" {
		t.Errorf("the model file's metadata %+v does not match metrics.json", m.Meta)
	}
}

// A second run with the same settings writes the same history (apart from
// the seconds column) and the same model.
func TestTrainIsReproducible(t *testing.T) {
	var models_ [2][]byte
	var hists [2]string
	for i := range 2 {
		dir := filepath.Join(t.TempDir(), "run")
		if _, _, err := runIn(t, context.Background(), "-data", "circles", "-n", "200", "-hidden", "8", "-epochs", "5", "-out", dir); err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, filepath.Join(dir, historyFile))
		for _, r := range rows {
			hists[i] += strings.Join(r[:len(r)-1], ",") + "\n"
		}
		m, _ := models.Load(filepath.Join(dir, modelFile))
		for _, p := range m.Params() {
			models_[i] = fmt.Append(models_[i], p.Float64s())
		}
	}
	if hists[0] != hists[1] || !bytes.Equal(models_[0], models_[1]) {
		t.Errorf("two runs with seed 1 differ:\n%s\n%s", hists[0], hists[1])
	}
}

func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// irisLike writes a small 3-class CSV with string labels.
func irisLike(t *testing.T, dir, name string, n int, seed int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("length,width,species\n")
	for i := range n {
		c := (i + seed) % 3
		fmt.Fprintf(&b, "%.2f,%.2f,%s\n", float64(c)*2+0.3*float64((i*7+seed)%5), float64(c)-0.2*float64((i*3+seed)%4), []string{"setosa", "versicolor", "virginica"}[c])
	}
	return writeTestFile(t, dir, name, b.String())
}

func TestTrainCSVWithTestSet(t *testing.T) {
	tmp := t.TempDir()
	train, test := irisLike(t, tmp, "train.csv", 90, 0), irisLike(t, tmp, "test.csv", 30, 1)
	dir := filepath.Join(tmp, "run")
	stdout, _, err := runIn(t, context.Background(), "-data", train, "-test", test, "-model", "logreg", "-lr", "0.05", "-epochs", "60", "-out", dir)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	doc := readMetrics(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "decision_regions.png")); err != nil {
		t.Errorf("2-D data without decision regions: %v", err)
	}
	if doc.Test["accuracy"] < 0.9 || doc.Samples["test"] != 30 {
		t.Errorf("test metrics %v (samples %v); want accuracy ≥ 0.9 on 30 samples", doc.Test, doc.Samples)
	}
	m, _ := models.Load(filepath.Join(dir, modelFile))
	if got := strings.Join(m.Spec().Classes, ","); got != "setosa,versicolor,virginica" {
		t.Errorf("model classes %q", got)
	}
	if !strings.Contains(stdout, "go run ./cmd/infer -model "+filepath.Join(dir, modelFile)+" -data "+test+" -eval") {
		t.Errorf("stdout does not say how to predict:\n%s", stdout)
	}
}

func TestTrainConfigFile(t *testing.T) {
	tmp := t.TempDir()
	cfg := writeTestFile(t, tmp, "run.json", `{"data": "xor", "model": "mlp", "hidden": "8", "activation": "tanh", "epochs": 3, "n": 40, "dropout": 0}`)
	dir := filepath.Join(tmp, "run")
	if _, _, err := runIn(t, context.Background(), "-config", cfg, "-epochs", "2", "-out", dir); err != nil {
		t.Fatal(err)
	}
	doc := readMetrics(t, dir)
	if doc.EpochsRun != 2 || doc.Settings.Activation != "tanh" || doc.Data != "xor" {
		t.Errorf("settings %+v, %d epochs; want the file's settings with -epochs 2 from the flag", doc.Settings, doc.EpochsRun)
	}
	bad := writeTestFile(t, tmp, "bad.json", `{"data": "xor", "epoch": 3}`)
	if _, _, err := runIn(t, context.Background(), "-config", bad); err == nil || !strings.Contains(err.Error(), `unknown field "epoch"`) {
		t.Errorf("config with a misspelt field: %v; want the unknown field named", err)
	}
}

func TestTrainEarlyStopping(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	stdout, _, err := runIn(t, context.Background(), "-data", "moons", "-n", "200", "-hidden", "64", "-lr", "0.05", "-epochs", "300", "-patience", "3", "-out", dir)
	if err != nil {
		t.Fatal(err)
	}
	doc := readMetrics(t, dir)
	if !doc.StoppedEarly || doc.EpochsRun >= 300 || doc.BestEpoch != doc.EpochsRun-3 {
		t.Fatalf("stopped early %v after %d epochs, best %d; want a stop 3 epochs after the best", doc.StoppedEarly, doc.EpochsRun, doc.BestEpoch)
	}
	want := fmt.Sprintf("Epoch %d: early stopping\nRestoring model weights from the end of the best epoch: %d.\n", doc.EpochsRun, doc.BestEpoch)
	if !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q", want)
	}
}

// cancelAfter is a context that reports cancellation after its Err has
// been consulted n times: the trainer checks it once per iteration.
type cancelAfter struct {
	context.Context
	n int
}

func (c *cancelAfter) Err() error {
	if c.n--; c.n < 0 {
		return context.Canceled
	}
	return nil
}

func TestTrainInterrupted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	// moons, 300 samples, 270 for training in batches of 32: 9 iterations
	// per epoch, and one more check before each epoch.
	ctx := &cancelAfter{Context: context.Background(), n: 25}
	_, _, err := runIn(t, ctx, "-data", "moons", "-n", "300", "-hidden", "8", "-epochs", "50", "-out", dir)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "saved the model of epoch 2 (-keep last)") {
		t.Fatalf("run: %v; want an interruption that saved the last completed epoch's model", err)
	}
	doc := readMetrics(t, dir)
	if doc.Interrupted == "" || doc.EpochsRun != 2 {
		t.Errorf("metrics.json: interrupted %q after %d epochs; want the interruption after 2 completed epochs", doc.Interrupted, doc.EpochsRun)
	}
	if _, err := models.Load(filepath.Join(dir, modelFile)); err != nil {
		t.Errorf("the saved model does not load: %v", err)
	}
	// Interrupted before any epoch completed: nothing to save.
	dir2 := filepath.Join(t.TempDir(), "run")
	_, _, err = runIn(t, &cancelAfter{Context: context.Background(), n: 3}, "-data", "moons", "-n", "300", "-out", dir2)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "no model was saved") {
		t.Errorf("early interruption: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir2, modelFile)); !os.IsNotExist(err) {
		t.Error("a model was saved although no epoch completed")
	}
}

// Gradient descent with a learning rate above 2/L diverges after a few
// epochs: the error says so and the best model is kept.
func TestTrainDivergence(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	_, _, err := runIn(t, context.Background(), "-data", "linear", "-n", "100", "-model", "linreg", "-lr", "1.5", "-epochs", "1000", "-out", dir)
	var de *trainers.DivergenceError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "saved the model of epoch ") {
		t.Fatalf("run: %v; want a divergence that kept a model", err)
	}
	if m, err := models.Load(filepath.Join(dir, modelFile)); err != nil {
		t.Error(err)
	} else if p, _ := m.Predict([]float32{0.5}); p[0] != p[0] {
		t.Error("the kept model predicts NaN")
	}
}

func TestTrainRejectsBadSettings(t *testing.T) {
	tmp := t.TempDir()
	regression := writeTestFile(t, tmp, "reg.csv", "a,b,y\n1,2,0.5\n2,1,1.5\n3,3,2.7\n4,0,3.1\n5,1,3.3\n6,2,4.1\n7,0,5.2\n8,3,5.9\n9,1,7.1\n10,2,7.7\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-model", "svm"}, `-model "svm"`},
		{[]string{"-data", "moons", "-model", "convnet"}, "needs image data"},
		{[]string{"-data", "blobs", "-model", "perceptron"}, "binary classifier"},
		{[]string{"-data", "moons", "-model", "linreg"}, "predicts numbers"},
		{[]string{"-data", regression, "-model", "logreg"}, "is numeric"},
		{[]string{"-data", "spirals"}, "no such file"},
		{[]string{"-data", "moons", "-hidden", "16,x"}, `"x" is not a positive width`},
		{[]string{"-data", "moons", "-patience", "3", "-val", "0"}, "needs validation data"},
		{[]string{"-data", "moons", "-val", "1"}, "-val 1"},
		{[]string{"-data", "moons", "-optimizer", "lbfgs"}, `-optimizer "lbfgs" is not one of gd, sgd, momentum, adam, rmsprop, adamw`},
		{[]string{"-data", "moons", "-lr", "-1"}, "learning rate -1"},
		{[]string{"-data", "moons", "-task", "ranking"}, `-task "ranking"`},
		{[]string{"-data", "moons", "extra"}, `unexpected argument "extra"`},
		{[]string{"-data", "moons", "-optimizer", "gd", "-batch", "10"}, "full-batch"},
	}
	for _, tt := range tests {
		_, _, err := runIn(t, context.Background(), append(tt.args, "-out", filepath.Join(tmp, "out"))...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v; want one containing %q", tt.args, err, tt.want)
		}
	}
	if _, _, err := runIn(t, context.Background(), "-epochs", "x"); !errors.Is(err, errUsage) {
		t.Errorf("-epochs x: %v; want a usage error", err)
	}
}

// -lr defaults to the optimiser's learning rate, but for gd and the
// perceptron.
func TestLearningRateDefaults(t *testing.T) {
	for _, tt := range []struct {
		model, optimizer string
		lr               float64
	}{
		{"mlp", "", 0.001}, {"mlp", "adam", 0.001}, {"mlp", "rmsprop", 0.001}, {"mlp", "adamw", 0.001},
		{"mlp", "sgd", 0.01}, {"mlp", "momentum", 0.01}, {"linreg", "", 0.1}, {"perceptron", "", 1},
	} {
		c := defaults()
		c.Data, c.Model, c.Optimizer = "moons", tt.model, tt.optimizer
		if err := c.resolve(); err != nil || c.LR != tt.lr {
			t.Errorf("-model %s -optimizer %q: -lr %v, %v; want %v", tt.model, tt.optimizer, c.LR, err, tt.lr)
		}
	}
}

func TestTrainAdamW(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if _, _, err := runIn(t, context.Background(), "-data", "moons", "-n", "100", "-hidden", "8", "-epochs", "2", "-optimizer", "adamw", "-out", dir); err != nil {
		t.Fatal(err)
	}
	if doc := readMetrics(t, dir); doc.Settings.Optimizer != "adamw" || doc.Settings.LR != 0.001 || doc.EpochsRun != 2 {
		t.Errorf("settings %+v, %d epochs; want adamw, lr 0.001, 2 epochs", doc.Settings, doc.EpochsRun)
	}
}

func TestHelpGolden(t *testing.T) {
	stdout, _, err := runIn(t, context.Background(), "-h")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "help.golden")
	if *update {
		os.WriteFile(golden, []byte(stdout), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if stdout != string(want) {
		t.Errorf("-h output changed:\n%s", stdout)
	}
	for _, f := range []string{"-data", "-target", "-model", "-hidden", "-activation", "-dropout", "-l2", "-l1", "-optimizer", "-lr", "-batch", "-epochs", "-patience", "-val", "-test", "-seed", "-out", "-config", "-sep", "-skip", "-drop", "-features", "-missing", "-na"} {
		if !strings.Contains(stdout, "  "+f+" ") {
			t.Errorf("-h does not document %s", f)
		}
	}
}

// 1-D regression gets a fitted-curve plot and an MAE curve instead of the
// classification pictures.
func TestTrainRegressionPlots(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if _, _, err := runIn(t, context.Background(), "-data", "linear", "-n", "200", "-model", "linreg", "-epochs", "50", "-out", dir); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"regression_fit.png": true, "mae.png": true, "loss.png": true, "confusion_matrix.png": false, "decision_regions.png": false} {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s exists: %v; want %v", name, err == nil, want)
		}
	}
	if doc := readMetrics(t, dir); doc.Validation["r2"] < 0.9 {
		t.Errorf("linreg on linear data: val R² %v", doc.Validation["r2"])
	}
}

// -gradcheck checks the model the flags describe, prints the report and
// trains nothing.
func TestGradCheckFlag(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	stdout, _, err := runIn(t, context.Background(), "-data", "moons", "-n", "100", "-hidden", "8,8", "-l2", "0.01", "-gradcheck", "-out", dir)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	for _, want := range []string{`Model: "mlp"`, "gradient check: symbolic gradients against central differences",
		"(on a float64 copy of the float32 model)", "dense_3/bias", "ok: every checked derivative agrees"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "Epoch 1/") {
		t.Errorf("-gradcheck trained:\n%s", stdout)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("-gradcheck created the run directory %s (%v)", dir, err)
	}
}
