package main

import (
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// newImageModel returns an untrained classifier of 28×28 grayscale images
// into 10 classes, with the given training settings.
func newImageModel(t *testing.T, settings map[string]any) *models.Model {
	t.Helper()
	m, err := models.New(models.Spec{Name: "digits", Input: []int{1, 28, 28}, Layers: []models.LayerSpec{
		{Type: models.LayerFlatten},
		{Type: models.LayerDense, Units: 10, Activation: models.Softmax},
	}}, models.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	m.Meta.Settings = settings
	return m
}

// newMNISTMLP returns an untrained MLP of 784 features, recorded as
// trained on MNIST as cmd/train records it.
func newMNISTMLP(t *testing.T) *models.Model {
	t.Helper()
	m, err := models.NewMLP(784, nil, models.MulticlassOutput(10), models.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	m.Meta.Settings = map[string]any{"data": "mnist"}
	return m
}

// writePNG writes a size×size grayscale PNG of colour paper with a 6×6
// square of colour ink at (x, y), a digit-like blob, and returns its path.
func writePNG(t *testing.T, dir, name string, size int, paper, ink uint8, x, y int) string {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = paper
	}
	for r := y; r < y+6; r++ {
		for c := x; c < x+6; c++ {
			img.SetGray(c, r, color.Gray{Y: ink})
		}
	}
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

// csvRows splits CSV output into its rows after the header, each into
// its fields.
func csvRows(t *testing.T, out string) [][]string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var rows [][]string
	for _, l := range lines[1:] {
		rows = append(rows, strings.Split(l, ","))
	}
	return rows
}

func TestImageFolder(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, dir, "a.png", 28, 0, 255, 11, 11) // white on black, as MNIST
	writePNG(t, dir, "b.png", 28, 255, 0, 11, 11) // black on white, as drawn
	writeFile(t, dir, "notes.txt", "not an image")
	model := save(t, newImageModel(t, nil), "digits")

	rows := csvRows(t, mustRun(t, "-model", model, "-data", dir))
	if len(rows) != 2 || rows[0][0] != filepath.Join(dir, "a.png") || rows[1][0] != filepath.Join(dir, "b.png") {
		t.Fatalf("rows %q; want a.png and b.png by path", rows)
	}
	// -invert auto turns the second into the first.
	if a, b := strings.Join(rows[0][1:], ","), strings.Join(rows[1][1:], ","); a != b {
		t.Errorf("with -invert auto, the two images predict\n%s\n%s\nwant the same", a, b)
	}
	rows = csvRows(t, mustRun(t, "-model", model, "-data", dir, "-invert", "never"))
	if a, b := strings.Join(rows[0][1:], ","), strings.Join(rows[1][1:], ","); a == b {
		t.Errorf("with -invert never, the two images predict the same: %s", a)
	}
}

func TestSingleImage(t *testing.T) {
	path := writePNG(t, t.TempDir(), "one.png", 28, 255, 0, 5, 5)
	stdout := mustRun(t, "-model", save(t, newImageModel(t, nil), "digits"), "-data", path, "-json")
	if !strings.Contains(stdout, `{"sample":"`+path+`","predicted":"`) || strings.Count(stdout, `"sample"`) != 1 {
		t.Errorf("output:\n%s\nwant one prediction for %s", stdout, path)
	}
}

func TestImageSize(t *testing.T) {
	path := writePNG(t, t.TempDir(), "small.png", 20, 255, 0, 5, 5)
	model := save(t, newImageModel(t, nil), "digits")
	err := runError(t, "-model", model, "-data", path, "-resize=false")
	for _, want := range []string{path, "20x20", "want 28x28", "-resize=false"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if rows := csvRows(t, mustRun(t, "-model", model, "-data", path)); len(rows) != 1 {
		t.Errorf("resized: rows %q; want one", rows)
	}
}

// A model trained on MNIST takes images, even as an MLP of 784 features,
// and centres them by default as MNIST's digits were.
func TestImagesForMNISTModel(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, dir, "corner.png", 28, 255, 0, 1, 1)
	writePNG(t, dir, "middle.png", 28, 255, 0, 12, 13)
	model := save(t, newMNISTMLP(t), "mnist")

	rows := csvRows(t, mustRun(t, "-model", model, "-data", dir))
	if a, b := strings.Join(rows[0][1:], ","), strings.Join(rows[1][1:], ","); a != b {
		t.Errorf("centred, the same blob at two places predicts\n%s\n%s\nwant the same", a, b)
	}
	rows = csvRows(t, mustRun(t, "-model", model, "-data", dir, "-center=false"))
	if a, b := strings.Join(rows[0][1:], ","), strings.Join(rows[1][1:], ","); a == b {
		t.Errorf("with -center=false, the blob at two places predicts the same: %s", a)
	}

	m := newMNISTMLP(t)
	m.Meta.Settings = nil
	err := runError(t, "-model", save(t, m, "mlp784"), "-data", dir)
	if want := "takes 784 tabular features, not images"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}

// mnistDir returns the folder of the Go module that ships MNIST, or skips
// the test if it is not in the module cache.
func mnistDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env GOMODCACHE: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "github.com", "petar", "!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63", "data")
	if _, err := os.Stat(filepath.Join(dir, "t10k-images-idx3-ubyte.gz")); err != nil {
		t.Skipf("no MNIST in the module cache: %v", err)
	}
	return dir
}

func TestMNISTTest(t *testing.T) {
	dir := mnistDir(t)
	out := filepath.Join(t.TempDir(), "predictions.csv")
	for _, m := range []*models.Model{newImageModel(t, nil), newMNISTMLP(t)} {
		stdout := mustRun(t, "-model", save(t, m, "mnist"), "-data", mnistTest, "-mnist-dir", dir, "-offline", "-eval", "-out", out)
		if !strings.Contains(stdout, "samples  10000\n") || !strings.Contains(stdout, "confusion matrix") {
			t.Errorf("%v: -eval printed\n%s", m.InputShape(), stdout)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
		if len(lines) != 10001 || !strings.HasPrefix(lines[10000], "10000,") {
			t.Errorf("%v: %d lines of predictions, the last %q; want a header and 10000 rows", m.InputShape(), len(lines), lines[len(lines)-1])
		}
	}
}

func TestMNISTUnavailable(t *testing.T) {
	// An empty user cache and module cache. HOME stays: the go command
	// that LoadMNIST runs may leave a process behind that writes to
	// $HOME/.config/go/telemetry, which would race with the clean-up of a
	// temporary HOME.
	tmp := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(tmp, "cache"))
	t.Setenv("GOMODCACHE", filepath.Join(tmp, "gomodcache"))
	empty := t.TempDir()
	err := runError(t, "-model", save(t, newImageModel(t, nil), "digits"), "-data", mnistTest, "-mnist-dir", empty, "-offline")
	if !errors.Is(err, datasets.ErrMNISTUnavailable) {
		t.Errorf("error %v; want one wrapping datasets.ErrMNISTUnavailable", err)
	}
	for _, want := range []string{"reading mnist-test", empty, "t10k-images-idx3-ubyte.gz", "-mnist-dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
