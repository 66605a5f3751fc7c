package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// runInfer runs the command with args and returns what it wrote.
func runInfer(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// mustRun runs the command and fails the test on an error.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, err := runInfer(t, args...)
	if err != nil {
		t.Fatalf("infer %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr)
	}
	return stdout
}

// runError runs the command, which must fail, and returns its error.
func runError(t *testing.T, args ...string) error {
	t.Helper()
	stdout, _, err := runInfer(t, args...)
	if err == nil {
		t.Fatalf("infer %s succeeded; want an error\nstdout:\n%s", strings.Join(args, " "), stdout)
	}
	if stdout != "" {
		t.Errorf("infer %s failed but wrote to stdout:\n%s", strings.Join(args, " "), stdout)
	}
	return err
}

// checkGolden compares got with testdata/name.golden, or rewrites the file
// with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/infer -update writes it)", err)
	}
	if roundNumbers(got) != roundNumbers(string(want)) {
		t.Errorf("output differs from %s (go test ./cmd/infer -update rewrites it if the change is right)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

var number = regexp.MustCompile(`-?[0-9]+\.[0-9]+(e-?[0-9]+)?|[0-9]+e-?[0-9]+`)

// roundNumbers rounds every decimal number in s to 4 significant digits:
// the last bits of float32 results depend on the order of the sums in the
// matrix product, which differs between CPU kernels, and goldens must not.
func roundNumbers(s string) string {
	return number.ReplaceAllStringFunc(s, func(v string) string {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return v
		}
		return strconv.FormatFloat(f, 'g', 4, 64)
	})
}

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// save saves m in a fresh folder and returns the file's path.
func save(t *testing.T, m *models.Model, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".dlgo")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// newClassifier returns a logistic regression for 3 blobs (features "x1",
// "x2", target "class", classes "0", "1", "2") whose weights point at the
// blobs' centres, so that its predictions depend neither on the weight
// initialisation nor on training.
func newClassifier(t *testing.T) *models.Model {
	t.Helper()
	ds := datasets.Blobs(30, 3, 0.5, 1)
	m, err := models.NewLogisticRegression(2, 3, models.WithDataInfo(ds))
	if err != nil {
		t.Fatal(err)
	}
	setParams(t, m, []float64{3, -1.5, -1.5, 0, 2.6, -2.6}, []float64{0, 0, 0})
	return m
}

// newRegressor returns a linear regression y = 2 x1 - x2 + 0.5 on features
// "x1", "x2" with target "y".
func newRegressor(t *testing.T) *models.Model {
	t.Helper()
	ds, _ := datasets.Linear(20, 2, 0.1, 1)
	m, err := models.NewLinearRegression(2, 1, models.WithDataInfo(ds))
	if err != nil {
		t.Fatal(err)
	}
	setParams(t, m, []float64{2, -1}, []float64{0.5})
	return m
}

// setParams sets the values of m's parameters, in order.
func setParams(t *testing.T, m *models.Model, values ...[]float64) {
	t.Helper()
	for i, p := range m.Params() {
		if err := p.SetFloat64s(values[i]); err != nil {
			t.Fatal(err)
		}
	}
}

// blobsCSV holds points near the three blobs, with their classes.
const blobsCSV = `x1,x2,class
3.1,0.2,0
-1.4,2.5,1
-1.6,-2.4,2
2.8,-0.3,0
-1.2,2.7,1
-1.5,-2.6,2
0.1,0.0,1
`

// blobsNoTargetCSV holds the same points without the class column.
const blobsNoTargetCSV = `x1,x2
3.1,0.2
-1.4,2.5
-1.6,-2.4
`

// linearCSV holds noisy samples of y = 2 x1 - x2 + 0.5.
const linearCSV = `x1,x2,y
0.5,-0.2,1.6
-0.7,0.9,-1.7
0.1,0.1,0.65
0.9,-0.8,3.0
-0.3,-0.5,0.45
`

func TestClassifierCSV(t *testing.T) {
	dir := t.TempDir()
	model := save(t, newClassifier(t), "blobs")
	data := writeFile(t, dir, "blobs.csv", blobsCSV)
	stdout, stderr, err := runInfer(t, "-model", model, "-data", data)
	if err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, stderr)
	}
	checkGolden(t, "classify_csv", stdout)
	for _, want := range []string{`level=info msg="loaded model"`, "samples=7", "labelled=true", "took="} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "time=") {
		t.Errorf("stderr has timestamps:\n%s", stderr)
	}
}

func TestClassifierCSVWithoutTarget(t *testing.T) {
	data := writeFile(t, t.TempDir(), "blobs.csv", blobsNoTargetCSV)
	stdout := mustRun(t, "-model", save(t, newClassifier(t), "blobs"), "-data", data)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if want := "sample,predicted,p_0,p_1,p_2"; lines[0] != want {
		t.Errorf("header %q; want %q", lines[0], want)
	}
	if len(lines) != 4 {
		t.Errorf("%d lines; want a header and 3 rows:\n%s", len(lines), stdout)
	}
}

func TestClassifierJSON(t *testing.T) {
	data := writeFile(t, t.TempDir(), "blobs.csv", blobsCSV)
	stdout := mustRun(t, "-model", save(t, newClassifier(t), "blobs"), "-data", data, "-json")
	checkGolden(t, "classify_json", stdout)
	var out struct {
		Model       string
		Classes     []string
		Predictions []struct {
			Sample        int
			Predicted     string
			Probabilities []float32
			True          string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Predictions) != 7 || out.Predictions[6].Sample != 7 || out.Predictions[6].True != "1" {
		t.Errorf("predictions %+v; want 7, the last sample 7 of class 1", out.Predictions)
	}
}

func TestEvalClassification(t *testing.T) {
	data := writeFile(t, t.TempDir(), "blobs.csv", blobsCSV)
	stdout := mustRun(t, "-model", save(t, newClassifier(t), "blobs"), "-data", data, "-eval")
	checkGolden(t, "eval_classify_txt", stdout)
}

func TestEvalRegressionJSON(t *testing.T) {
	data := writeFile(t, t.TempDir(), "linear.csv", linearCSV)
	stdout := mustRun(t, "-model", save(t, newRegressor(t), "linear"), "-data", data, "-eval", "-json")
	checkGolden(t, "eval_regress_json", stdout)
}

func TestRegressionCSV(t *testing.T) {
	data := writeFile(t, t.TempDir(), "linear.csv", linearCSV)
	stdout := mustRun(t, "-model", save(t, newRegressor(t), "linear"), "-data", data)
	checkGolden(t, "regress_csv", stdout)
}

func TestHelp(t *testing.T) {
	stdout, stderr, err := runInfer(t, "-h")
	if err != nil || stderr != "" {
		t.Fatalf("-h: error %v, stderr %q; want neither", err, stderr)
	}
	checkGolden(t, "help", stdout)
	newFlagSet(&config{}, new(bool)).VisitAll(func(f *flag.Flag) {
		_, after, _ := strings.Cut(stdout, "  -"+f.Name+" ")
		if after == "" {
			_, after, _ = strings.Cut(stdout, "  -"+f.Name+"\n")
		}
		block, _, _ := strings.Cut(after, "\n  -")
		if !strings.Contains(block, "(default") && !strings.Contains(block, "(required)") {
			t.Errorf("-h does not give the default of -%s:\n%s", f.Name, block)
		}
	})
	if n := strings.Count(stdout, "\n  infer -model"); n != 6 {
		t.Errorf("-h gives %d examples; want 6", n)
	}
}

// samplesCSV writes the features of d as a CSV file without targets, in a
// form that reads back to the same float32 values.
func samplesCSV(t *testing.T, d *datasets.Dataset) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(strings.Join(d.Features, ",") + "\n")
	for i := range d.Len() {
		for j, v := range d.Row(i) {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 32))
		}
		b.WriteByte('\n')
	}
	return writeFile(t, t.TempDir(), d.Name+".csv", b.String())
}

// The saved model, run through the command, predicts exactly what the
// trained model in memory predicts.
func TestSaveLoadRoundTrip(t *testing.T) {
	linear, _ := datasets.Linear(40, 2, 0.1, 2)
	for _, tc := range []struct {
		name string
		data *datasets.Dataset
		out  models.Output
	}{
		{"softmax", datasets.Blobs(60, 3, 0.8, 2), models.MulticlassOutput(3)},
		{"sigmoid", datasets.Moons(60, 0.1, 2), models.BinaryOutput()},
		{"step", datasets.Moons(60, 0.1, 2), models.Output{Units: 1, Activation: models.Step}},
		{"linear", linear, models.RegressionOutput(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := models.NewMLP(2, []models.Hidden{{Units: 8, Activation: models.ReLU}}, tc.out,
				models.WithSeed(1), models.WithDataInfo(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := trainersFit(m, tc.data); err != nil {
				t.Fatal(err)
			}
			stdout := mustRun(t, "-model", save(t, m, tc.name), "-data", samplesCSV(t, tc.data), "-json")
			var out struct {
				Predictions []struct {
					Predicted     string
					Probabilities []float32
					Values        []float32
				}
			}
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatal(err)
			}
			want, err := m.Predict(tc.data.X)
			if err != nil {
				t.Fatal(err)
			}
			var got []float32
			var classes []string
			for _, p := range out.Predictions {
				got = append(got, p.Probabilities...)
				got = append(got, p.Values...)
				classes = append(classes, p.Predicted)
			}
			if !slices.Equal(got, want) {
				t.Errorf("infer predicts\n%v\nthe model in memory\n%v", got, want)
			}
			if m.Spec().Task() == models.Regression {
				return
			}
			wantClasses, err := m.PredictClasses(tc.data.X)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range wantClasses {
				if classes[i] != m.Spec().Classes[c] {
					t.Fatalf("sample %d: predicted %q; the model in memory predicts %q", i+1, classes[i], m.Spec().Classes[c])
				}
			}
		})
	}
}

func TestSingleRow(t *testing.T) {
	data := writeFile(t, t.TempDir(), "one.csv", "x1,x2,class\n-1.5,2.6,1\n")
	stdout := mustRun(t, "-model", save(t, newClassifier(t), "blobs"), "-data", data)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "1,") || !strings.HasSuffix(lines[1], ",1") {
		t.Errorf("output\n%s\nwant a header and one row for sample 1 of class 1", stdout)
	}
}

// Without target names, a model reads its target from a column after its
// features, and names its classes "0", "1", ...
func TestModelWithoutNames(t *testing.T) {
	m, err := models.NewMLP(2, nil, models.MulticlassOutput(3), models.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	model, dir := save(t, m, "plain"), t.TempDir()
	stdout := mustRun(t, "-model", model, "-data", writeFile(t, dir, "a.csv", "a,b\n1,2\n"))
	if !strings.HasPrefix(stdout, "sample,predicted,p_0,p_1,p_2\n1,") {
		t.Errorf("without a target column:\n%s", stdout)
	}
	stdout = mustRun(t, "-model", model, "-data", writeFile(t, dir, "b.csv", "a,b,label\n1,2,2\n"))
	if !strings.HasPrefix(stdout, "sample,predicted,p_0,p_1,p_2,true\n1,") || !strings.HasSuffix(stdout, ",2\n") {
		t.Errorf("with a target column:\n%s", stdout)
	}
	err = runError(t, "-model", model, "-data", writeFile(t, dir, "c.csv", "a,b,c,d\n1,2,3,4\n"))
	for _, want := range []string{"4 feature columns", "takes 2 features"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	err = runError(t, "-model", model, "-data", writeFile(t, dir, "d.csv", "a,b\n1,2\n"), "-eval")
	if want := "does not name its target"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}

func TestMultipleTargets(t *testing.T) {
	ds := &datasets.Dataset{Name: "two", X: []float32{1, 2}, Shape: []int{2}, Y: []float32{3, 4},
		Features: []string{"x1", "x2"}, Targets: []string{"y1", "y2"}}
	m, err := models.NewLinearRegression(2, 2, models.WithSeed(1), models.WithDataInfo(ds))
	if err != nil {
		t.Fatal(err)
	}
	model, dir := save(t, m, "two"), t.TempDir()
	stdout := mustRun(t, "-model", model, "-data", writeFile(t, dir, "x.csv", "x1,x2\n1,2\n"))
	if !strings.HasPrefix(stdout, "sample,y1,y2\n1,") {
		t.Errorf("output:\n%s", stdout)
	}
	xy := writeFile(t, dir, "xy.csv", "y2,x1,x2,y1\n4,1,2,3\n5,0,1,2\n")
	stdout = mustRun(t, "-model", model, "-data", xy)
	if !strings.HasPrefix(stdout, "sample,y1,y2,true_y1,true_y2\n1,") || !strings.Contains(stdout, ",3,4\n2,") {
		t.Errorf("with the targets, in another order:\n%s", stdout)
	}
	stdout = mustRun(t, "-model", model, "-data", xy, "-eval")
	for _, want := range []string{"samples  2\n", "r2 ", "\ntarget        mae        mse         r2       rmse\ny1 ", "\ny2 "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("-eval output lacks %q:\n%s", want, stdout)
		}
	}
	err = runError(t, "-model", model, "-data", writeFile(t, dir, "x1.csv", "x1,x2,y1\n1,2,3\n"))
	if want := `has "y1" but not "y2"`; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}

// A multi-label model prints one probability per label and the labels it
// predicts; -eval scores each label.
func TestMultiLabel(t *testing.T) {
	ds := &datasets.Dataset{Name: "tags", X: []float32{1, 2, -1, 0}, Shape: []int{2}, Y: []float32{1, 0, 0, 1},
		Features: []string{"x1", "x2"}, Targets: []string{"red", "big"}}
	m, err := models.NewMLP(2, nil, models.MultiLabelOutput(2), models.WithSeed(1), models.WithDataInfo(ds))
	if err != nil {
		t.Fatal(err)
	}
	w := m.Param("dense_1/kernel")
	w.SetFloat64s([]float64{10, 0, 0, -10}) // red when x1 > 0, big when x2 < 0
	model, dir := save(t, m, "tags"), t.TempDir()
	data := writeFile(t, dir, "tags.csv", "x1,x2,red,big\n1,2,1,0\n-1,-1,0,1\n1,-1,1,1\n")
	stdout := mustRun(t, "-model", model, "-data", data)
	want := "sample,predicted,p_red,p_big,true_red,true_big\n1,red,0.999955,0.000000,1,0\n2,big,0.000045,0.999955,0,1\n3,red;big,"
	if !strings.HasPrefix(stdout, want) {
		t.Errorf("output:\n%s\nwant it to start with\n%s", stdout, want)
	}
	stdout = mustRun(t, "-model", model, "-data", data, "-eval")
	for _, want := range []string{"accuracy 1\n", "target   accuracy         f1  precision     recall\nred ", "\nbig        1.0000"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("-eval output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestInputErrors(t *testing.T) {
	dir := t.TempDir()
	classifier, regressor := save(t, newClassifier(t), "blobs"), save(t, newRegressor(t), "linear")
	image := save(t, newImageModel(t, nil), "digits")
	png := writePNG(t, dir, "digit.png", 28, 255, 0, 10, 10)
	garbage := writeFile(t, dir, "garbage.dlgo", "not a model")
	raw, err := os.ReadFile(classifier)
	if err != nil {
		t.Fatal(err)
	}
	truncated := writeFile(t, dir, "truncated.dlgo", string(raw[:len(raw)/2]))
	csv := func(name, content string) string { return writeFile(t, dir, name, content) }
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"missing column", []string{"-model", classifier, "-data", csv("m.csv", "x1,class\n1,0\n")},
			[]string{`m.csv:1: feature column "x2" is missing`, `want features "x1", "x2"`}},
		{"extra column", []string{"-model", classifier, "-data", csv("e.csv", "x1,x2,x3,class\n1,2,3,0\n")},
			[]string{`column 3 ("x3") is not an expected feature`, `want features "x1", "x2"`}},
		{"column order", []string{"-model", classifier, "-data", csv("o.csv", "x2,x1,class\n1,2,0\n")},
			[]string{"out of order", `"x1", "x2"`}},
		{"unknown class", []string{"-model", classifier, "-data", csv("u.csv", "x1,x2,class\n1,2,0\n1,2,7\n")},
			[]string{`u.csv:3`, `unknown class "7"`, `the known classes are "0", "1", "2"`}},
		{"regression target not a number", []string{"-model", regressor, "-data", csv("r.csv", "x1,x2,y\n1,2,abc\n")},
			[]string{`r.csv:2: column 3 ("y")`, `"abc" is not a number`}},
		{"feature not a number", []string{"-model", regressor, "-data", csv("f.csv", "x1,x2\n1,two\n")},
			[]string{`f.csv:2: column 2 ("x2")`, `"two" is not a number`}},
		{"empty csv", []string{"-model", classifier, "-data", csv("empty.csv", "")},
			[]string{"empty.csv: the file is empty"}},
		{"header only", []string{"-model", classifier, "-data", csv("h.csv", "x1,x2\n")},
			[]string{"no data rows"}},
		{"image to a tabular model", []string{"-model", classifier, "-data", png},
			[]string{"model logreg takes 2 tabular features, not images"}},
		{"csv to an image model", []string{"-model", image, "-data", csv("i.csv", blobsCSV)},
			[]string{"model digits takes images of shape [1 28 28]", "not CSV rows"}},
		{"missing data", []string{"-model", classifier, "-data", filepath.Join(dir, "nothing.csv")},
			[]string{"nothing.csv", "no such file"}},
		{"missing model", []string{"-model", filepath.Join(dir, "nothing.dlgo"), "-data", png},
			[]string{"loading the model", "nothing.dlgo", "no such file"}},
		{"corrupt model", []string{"-model", garbage, "-data", png},
			[]string{"loading the model", garbage, "not a dlgo model file"}},
		{"truncated model", []string{"-model", truncated, "-data", png},
			[]string{"loading the model", truncated, "truncated or corrupt"}},
		{"eval without targets", []string{"-model", classifier, "-data", csv("n.csv", blobsNoTargetCSV), "-eval"},
			[]string{"-eval", "n.csv has no target column", `want a column named "class"`}},
		{"eval on images", []string{"-model", image, "-data", png, "-eval"},
			[]string{"-eval: images have no targets"}},
		{"mnist for a tabular model", []string{"-model", classifier, "-data", mnistTest},
			[]string{"model logreg takes input of shape [2]", "28×28"}},
		{"mnist for a regression model", []string{"-model", save(t, newMNISTRegressor(t), "r784"), "-data", mnistTest},
			[]string{"regression model", "classifier of the 10 digits"}},
		{"unwritable output", []string{"-model", classifier, "-data", csv("w.csv", blobsCSV), "-out", filepath.Join(dir, "no", "such", "dir.csv")},
			[]string{"writing the predictions", "no such file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := runError(t, tc.args...)
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if errors.As(err, new(usageError)) {
				t.Errorf("error %q is a usage error", err)
			}
		})
	}
}

func newMNISTRegressor(t *testing.T) *models.Model {
	t.Helper()
	m, err := models.NewLinearRegression(784, 1, models.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-data", "x.csv"}, "-model is required"},
		{[]string{"-model", "m.dlgo"}, "-data is required"},
		{[]string{"-model", "m.dlgo", "-data", "x.csv", "-nope"}, "flag provided but not defined: -nope"},
		{[]string{"-model", "m.dlgo", "-data", "x.csv", "extra"}, `unexpected argument "extra"`},
		{[]string{"-model", "m.dlgo", "-data", "x.png", "-invert", "sometimes"}, `-invert "sometimes": want auto, always or never`},
		{[]string{"-model", "m.dlgo", "-data", "x.png", "-center", "-resize=false"}, "-center"},
	} {
		err := runError(t, tc.args...)
		if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("infer %s: error %q; want a usage error saying %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, 0, ""},
		{usagef("-model is required"), 2, "infer: -model is required\nrun 'infer -h' for help\n"},
		{errors.New("reading the data: boom"), 1, "infer: reading the data: boom\n"},
	} {
		var stderr bytes.Buffer
		if code := exitCode(tc.err, &stderr); code != tc.code || stderr.String() != tc.stderr {
			t.Errorf("exitCode(%v) = %d, printing %q; want %d, printing %q", tc.err, code, stderr.String(), tc.code, tc.stderr)
		}
	}
}

func TestOutFile(t *testing.T) {
	dir := t.TempDir()
	model, data := save(t, newClassifier(t), "blobs"), writeFile(t, dir, "blobs.csv", blobsCSV)
	out := filepath.Join(dir, "out", "predictions.json")
	if err := os.Mkdir(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if stdout := mustRun(t, "-model", model, "-data", data, "-json", "-out", out); stdout != "" {
		t.Errorf("with -out, stdout has\n%s", stdout)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := mustRun(t, "-model", model, "-data", data, "-json"); string(got) != want {
		t.Errorf("-out wrote\n%s\nstdout has\n%s", got, want)
	}

	// -eval puts the metrics on stdout and the predictions in the file.
	stdout := mustRun(t, "-model", model, "-data", data, "-eval", "-out", out)
	if !strings.Contains(stdout, "confusion matrix") {
		t.Errorf("-eval -out: stdout has\n%s", stdout)
	}
	got, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), "sample,predicted,p_0,p_1,p_2,true\n") {
		t.Errorf("-eval -out wrote\n%s", got)
	}
	entries, err := os.ReadDir(filepath.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the output folder holds %d files; want only the predictions, no temporary files", len(entries))
	}
}

func TestCancelled(t *testing.T) {
	dir := t.TempDir()
	model, data := save(t, newClassifier(t), "blobs"), writeFile(t, dir, "blobs.csv", blobsCSV)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-model", model, "-data", data}, &stdout, &stderr)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v; want one wrapping context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("run took %v after cancellation", d)
	}
	if stdout.Len() > 0 {
		t.Errorf("a cancelled run wrote\n%s", stdout.String())
	}
}

// cancelAfter is a context that reports cancellation after a number of
// checks of Err.
type cancelAfter struct {
	context.Context
	checks int
}

func (c *cancelAfter) Err() error {
	if c.checks--; c.checks < 0 {
		return context.Canceled
	}
	return nil
}

// predict looks at the context between chunks of samples.
func TestPredictStopsBetweenChunks(t *testing.T) {
	m := newClassifier(t)
	x := make([]float32, 600*2)
	_, err := predict(&cancelAfter{Context: context.Background(), checks: 1}, m, x)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "after 256 of 600 samples") {
		t.Errorf("error %v; want one wrapping context.Canceled after the first chunk", err)
	}
}

// trainersFit trains m briefly and deterministically on d.
func trainersFit(m *models.Model, d *datasets.Dataset) (*trainers.History, error) {
	return trainers.Fit(context.Background(), m, d, trainers.Config{Optimizer: trainers.Adam{LearningRate: 0.05}, Epochs: 5, Seed: 1})
}
