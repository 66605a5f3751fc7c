package main

import (
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

// tableAE is a dense autoencoder of four features f1..f4 in [0, 1].
func tableAE(t *testing.T) (*models.Model, *datasets.Dataset) {
	t.Helper()
	d := &datasets.Dataset{Name: "rows", Shape: []int{4}, Features: []string{"f1", "f2", "f3", "f4"},
		X: []float32{0.1, 0.9, 0.5, 0, 1, 1, 0.2, 0.3, 0.5, 0.5, 0.5, 0.5, 0, 0, 0, 1, 0.7, 0.2, 0.9, 0.4}}
	m, err := models.NewAutoencoder(d.Shape, []int{2}, models.WithSeed(3), models.WithDataInfo(d))
	if err != nil {
		t.Fatal(err)
	}
	return m, d
}

const tableAECSV = `f1,f2,f3,f4
0.1,0.9,0.5,0
1,1,0.2,0.3
0.5,0.5,0.5,0.5
0,0,0,1
0.7,0.2,0.9,0.4
`

// An autoencoder writes each sample's loss and squared error; -hardest
// keeps the worst, worst first; -json adds the reconstructions; -eval
// prints the loss and the mse.
func TestAutoencoderReconstructions(t *testing.T) {
	m, d := tableAE(t)
	model, data := save(t, m, "ae"), writeFile(t, t.TempDir(), "rows.csv", tableAECSV)
	logits, err := m.Logits(d.X)
	if err != nil {
		t.Fatal(err)
	}
	losses, _ := models.SampleLosses(m.Spec(), logits, d.X)
	rec, _ := m.Predict(d.X)
	rows := csvRows(t, mustRun(t, "-model", model, "-data", data))
	if len(rows) != 5 {
		t.Fatalf("%d rows; want 5", len(rows))
	}
	for i, row := range rows {
		var sse float64
		for j := range 4 {
			diff := float64(rec[i*4+j]) - float64(d.X[i*4+j])
			sse += diff * diff
		}
		loss, _ := strconv.ParseFloat(row[1], 64)
		mse, _ := strconv.ParseFloat(row[2], 64)
		if row[0] != strconv.Itoa(i+1) || math.Abs(loss-losses[i]) > 1e-5*losses[i] || math.Abs(mse-sse/4) > 1e-5 {
			t.Errorf("row %v; want sample %d, loss %v, mse %v", row, i+1, losses[i], sse/4)
		}
	}
	hard := csvRows(t, mustRun(t, "-model", model, "-data", data, "-hardest", "2"))
	order := []int{0, 1, 2, 3, 4}
	slices.SortFunc(order, func(a, b int) int { return -cmpFloat(losses[a], losses[b]) })
	if len(hard) != 2 || hard[0][0] != strconv.Itoa(order[0]+1) || hard[1][0] != strconv.Itoa(order[1]+1) {
		t.Errorf("-hardest 2 gives %v; want samples %d and %d", hard, order[0]+1, order[1]+1)
	}
	var doc struct {
		Task        string
		Predictions []struct {
			Sample         int
			Loss, MSE      float64
			Reconstruction []float32
		}
	}
	if err := json.Unmarshal([]byte(mustRun(t, "-model", model, "-data", data, "-json")), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Task != "reconstruction" || len(doc.Predictions) != 5 || !slices.Equal(doc.Predictions[4].Reconstruction, rec[16:20]) {
		t.Errorf("JSON: task %q, %d predictions, the last %+v; want the reconstruction %v", doc.Task, len(doc.Predictions), doc.Predictions[4], rec[16:20])
	}
	want, err := trainers.Evaluate(m, d)
	if err != nil {
		t.Fatal(err)
	}
	ev := mustRun(t, "-model", model, "-data", data, "-eval")
	for _, k := range []string{"loss", "mse"} {
		if line := k + strings.Repeat(" ", 9-len(k)) + strconv.FormatFloat(want[k], 'g', 6, 64); !strings.Contains(ev, line+"\n") {
			t.Errorf("-eval printed\n%s\nwant a line %q", ev, line)
		}
	}
	if strings.Contains(ev, "kl_loss") || strings.Contains(ev, "accuracy") {
		t.Errorf("an autoencoder's -eval:\n%s", ev)
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// imageVAE is a variational autoencoder of 8×8 grayscale images.
func imageVAE(t *testing.T) *models.Model {
	t.Helper()
	m, err := models.NewVAE([]int{1, 8, 8}, 16, 2, models.WithSeed(5))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// -generate draws seeded samples of a VAE's prior: CSV rows, or a PNG.
func TestGenerate(t *testing.T) {
	m := imageVAE(t)
	model := save(t, m, "vae")
	a, b := mustRun(t, "-model", model, "-generate", "4", "-seed", "7"), mustRun(t, "-model", model, "-generate", "4", "-seed", "7")
	c := mustRun(t, "-model", model, "-generate", "4", "-seed", "8")
	if a != b || a == c {
		t.Errorf("-generate with seeds 7, 7, 8: the same twice %v, then different %v; want true, true", a == b, a != c)
	}
	want, err := m.Generate(4, 7)
	if err != nil {
		t.Fatal(err)
	}
	rows := csvRows(t, a)
	if len(rows) != 4 || len(rows[0]) != 65 || !strings.HasPrefix(a, "sample,v1,v2,") {
		t.Fatalf("-generate 4: %d rows of %d fields:\n%.200s", len(rows), len(rows[0]), a)
	}
	for i, row := range rows {
		for j, f := range row[1:] {
			v, _ := strconv.ParseFloat(f, 64)
			if math.Abs(v-float64(want[i*64+j])) > 1e-5 {
				t.Fatalf("sample %d value %d is %v; Generate gives %v", i+1, j+1, v, want[i*64+j])
			}
		}
	}
	out := filepath.Join(t.TempDir(), "digits.png")
	if stdout := mustRun(t, "-model", model, "-generate", "12", "-out", out); stdout != "" {
		t.Errorf("-generate -out wrote to stdout: %q", stdout)
	}
	checkPNG(t, out)
	ae, _ := tableAE(t)
	if err := runError(t, "-model", save(t, ae, "ae"), "-generate", "3"); !strings.Contains(err.Error(), "no prior") {
		t.Errorf("-generate on an autoencoder: %v", err)
	}
	for _, args := range [][]string{
		{"-generate", "3", "-data", "rows.csv"},
		{"-generate", "3", "-eval"},
		{"-generate", "-1"},
		{"-data", "x.csv", "-encode", "-eval"},
	} {
		if err := runError(t, append([]string{"-model", model}, args...)...); !errorsAsUsage(err) {
			t.Errorf("%v: %v; want a usage error", args, err)
		}
	}
}

func errorsAsUsage(err error) bool {
	_, ok := err.(usageError)
	return ok
}

// checkPNG checks that path holds a PNG image.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("%s: %v", path, err)
	}
}

// -encode writes each image's latent code (a VAE's mean) beside its file;
// a VAE's -eval gives its loss's parts; a PNG shows the reconstructions.
func TestEncodeImages(t *testing.T) {
	m := imageVAE(t)
	model := save(t, m, "vae")
	dir := t.TempDir()
	var paths []string
	for i := range 3 {
		paths = append(paths, writePNG(t, dir, "digit"+strconv.Itoa(i)+".png", 8, 0, 255, i, 1))
	}
	d, _, err := datasets.LoadImages(dir, datasets.ImageOptions{Channels: 1, Height: 8, Width: 8, Invert: datasets.InvertNone})
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Encode(d.X)
	if err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "-model", model, "-data", dir, "-encode")
	rows := csvRows(t, out)
	if !strings.HasPrefix(out, "sample,z1,z2\n") || len(rows) != 3 {
		t.Fatalf("-encode wrote\n%s", out)
	}
	for i, row := range rows {
		z1, _ := strconv.ParseFloat(row[1], 64)
		z2, _ := strconv.ParseFloat(row[2], 64)
		if row[0] != paths[i] || math.Abs(z1-float64(want[2*i])) > 1e-5 || math.Abs(z2-float64(want[2*i+1])) > 1e-5 {
			t.Errorf("row %v; want %s, %v, %v", row, paths[i], want[2*i], want[2*i+1])
		}
	}
	ev := mustRun(t, "-model", model, "-data", dir, "-eval")
	for _, k := range []string{"loss", "reconstruction_loss", "kl_loss", "mse"} {
		if !strings.Contains(ev, "\n"+k+" ") {
			t.Errorf("a VAE's -eval lacks %s:\n%s", k, ev)
		}
	}
	pic := filepath.Join(t.TempDir(), "rec.png")
	mustRun(t, "-model", model, "-data", dir, "-hardest", "2", "-out", pic)
	checkPNG(t, pic)
	mlp := save(t, newClassifier(t), "blobs")
	if err := runError(t, "-model", mlp, "-data", writeFile(t, t.TempDir(), "b.csv", blobsCSV), "-encode"); !strings.Contains(err.Error(), "no latent layer") {
		t.Errorf("-encode on a classifier: %v", err)
	}
}

// -hardest lists a classifier's worst mistakes first, with their loss; it
// needs the targets.
func TestHardestClassifier(t *testing.T) {
	m := newClassifier(t)
	model := save(t, m, "blobs")
	data := writeFile(t, t.TempDir(), "blobs.csv", blobsCSV)
	out := mustRun(t, "-model", model, "-data", data, "-hardest", "3")
	rows := csvRows(t, out)
	if !strings.HasSuffix(strings.SplitN(out, "\n", 2)[0], ",true,loss") || len(rows) != 3 {
		t.Fatalf("-hardest 3 wrote\n%s", out)
	}
	prev := math.Inf(1)
	for _, row := range rows {
		l, _ := strconv.ParseFloat(row[len(row)-1], 64)
		if l > prev {
			t.Errorf("losses not in decreasing order:\n%s", out)
		}
		prev = l
	}
	// Sample 7, (0.1, 0.0), sits between the blobs: the worst.
	if rows[0][0] != "7" {
		t.Errorf("the hardest sample is %s; want 7:\n%s", rows[0][0], out)
	}
	noTarget := writeFile(t, t.TempDir(), "x.csv", blobsNoTargetCSV)
	if err := runError(t, "-model", model, "-data", noTarget, "-hardest", "2"); !strings.Contains(err.Error(), "-hardest") {
		t.Errorf("-hardest without targets: %v", err)
	}
}
