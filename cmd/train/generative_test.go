package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// needMNIST skips the test when MNIST is not on this machine, except in
// CI (CI=1 or CI=true, as .ci/run sets it), where the run fetches it.
func needMNIST(t *testing.T) {
	t.Helper()
	ci := os.Getenv("CI") == "1" || os.Getenv("CI") == "true"
	if _, err := datasets.LoadMNIST("test", datasets.MNISTOptions{Offline: true}); err != nil && !ci {
		t.Skipf("MNIST is not cached here (CI=1 fetches it): %v", err)
	}
}

// A VAE on a few MNIST images: its history and metrics have the loss's
// two terms, and the run directory its four pictures.
func TestTrainVAE(t *testing.T) {
	needMNIST(t)
	dir := filepath.Join(t.TempDir(), "run")
	stdout, _, err := runIn(t, context.Background(), "-model", "vae", "-hidden", "64", "-limit", "300", "-epochs", "2", "-out", dir)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	for _, want := range []string{"z (Sampling)", "kl_loss:", "reconstruction_loss:", "val_kl_loss:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{reconstructionsPlot, latentPlot, manifoldPlot, generatedPlot, "loss.png", "mse.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("no %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "confusion_matrix.png")); err == nil {
		t.Error("a VAE's run has a confusion matrix")
	}
	header := readCSV(t, filepath.Join(dir, historyFile))[0]
	for _, col := range []string{"kl_loss", "reconstruction_loss", "val_kl_loss", "val_mse"} {
		if !slices.Contains(header, col) {
			t.Errorf("history.csv has no %s column: %v", col, header)
		}
	}
	doc := readMetrics(t, dir)
	if doc.Test["kl_loss"] <= 0 || doc.Test["reconstruction_loss"] <= 0 || doc.Targets != nil {
		t.Errorf("test metrics %v, per-target %v; want the loss's terms and no per-output table", doc.Test, doc.Targets)
	}
	m, err := models.Load(filepath.Join(dir, modelFile))
	if err != nil {
		t.Fatal(err)
	}
	if m.Spec().Task() != models.Reconstruction || m.LatentDim() != 2 || m.Spec().Classes != nil {
		t.Errorf("saved model: task %s, latent %d, classes %v", m.Spec().Task(), m.LatentDim(), m.Spec().Classes)
	}
}

// A convolutional autoencoder's latent plot projects its 32×7×7 codes; it
// has no prior to draw from, so no manifold nor samples.
func TestTrainConvAutoencoder(t *testing.T) {
	needMNIST(t)
	dir := filepath.Join(t.TempDir(), "run")
	stdout, _, err := runIn(t, context.Background(), "-model", "conv-autoencoder", "-limit", "100", "-epochs", "1", "-out", dir)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	for f, want := range map[string]bool{reconstructionsPlot: true, latentPlot: true, manifoldPlot: false, generatedPlot: false} {
		if _, err := os.Stat(filepath.Join(dir, f)); (err == nil) != want {
			t.Errorf("%s exists: %v; want %v", f, err == nil, want)
		}
	}
	if !strings.Contains(stdout, "code (MaxPooling2D)") || strings.Contains(stdout, "kl_loss") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

func TestTrainGenerativeRejects(t *testing.T) {
	tmp := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-model", "vae", "-data", "moons"}, "use -data mnist"},
		{[]string{"-model", "mlp", "-latent", "3"}, "-latent sets"},
		{[]string{"-model", "autoencoder", "-latent", "3"}, "-latent sets"},
		{[]string{"-model", "conv-vae", "-hidden", "64"}, "-hidden sets"},
		{[]string{"-model", "vae", "-hidden", "64,32"}, "one hidden width"},
		{[]string{"-data", "moons", "-limit", "5"}, "-limit 5"},
	} {
		_, _, err := runIn(t, context.Background(), append(tt.args, "-out", filepath.Join(tmp, "out"))...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v; want one containing %q", tt.args, err, tt.want)
		}
	}
}

// An architecture file can be an autoencoder of a table's features: the
// last dense layer gets as many units as there are features, and the
// table's target is not trained on.
func TestTrainAutoencoderArchitecture(t *testing.T) {
	tmp := t.TempDir()
	arch := filepath.Join(tmp, "ae.json")
	if err := os.WriteFile(arch, []byte(`{"name": "tiny-ae", "layers": [
		{"type": "dense", "units": 2, "activation": "tanh", "name": "code"},
		{"type": "dense", "activation": "sigmoid"}],
		"loss": "binary_crossentropy", "target": "input", "latent": "code"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	path := writeTable(t, "a,b,c,label", 120, func(rng *rand.Rand) string {
		v := rng.Float64()
		label := "low"
		if v > 0.5 {
			label = "high"
		}
		return fmt.Sprintf("%.3f,%.3f,%.3f,%s", v, 1-v, v*v, label)
	})
	dir := filepath.Join(tmp, "run")
	stdout, _, err := runIn(t, context.Background(), "-model", arch, "-data", path, "-epochs", "5", "-out", dir)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	m, err := models.Load(filepath.Join(dir, modelFile))
	if err != nil {
		t.Fatal(err)
	}
	if m.Spec().Task() != models.Reconstruction || m.Spec().Units() != 3 || m.LatentDim() != 2 {
		t.Errorf("task %s, %d outputs, latent %d; want a reconstruction of the 3 features through 2", m.Spec().Task(), m.Spec().Units(), m.LatentDim())
	}
	if doc := readMetrics(t, dir); doc.Validation["mse"] <= 0 || doc.Validation["accuracy"] != 0 {
		t.Errorf("validation metrics %v; want loss and mse", doc.Validation)
	}
}
