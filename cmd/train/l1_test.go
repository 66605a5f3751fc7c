package main

import (
	"context"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/models"
)

// -l1 reaches the trainer: with a learning rate too small to move the
// weights, the training loss grows by exactly λ·Σ|w| over the kernels.
func TestTrainL1(t *testing.T) {
	loss := func(l1 string) (float64, *models.Model) {
		dir := filepath.Join(t.TempDir(), "run")
		args := []string{"-data", "moons", "-n", "64", "-hidden", "4", "-dropout", "0", "-optimizer", "sgd", "-lr", "1e-30",
			"-batch", "64", "-val", "0", "-epochs", "1", "-l1", l1, "-out", dir}
		if _, _, err := runIn(t, context.Background(), args...); err != nil {
			t.Fatalf("-l1 %s: %v", l1, err)
		}
		rows := readCSV(t, filepath.Join(dir, historyFile))
		col := -1
		for j, h := range rows[0] {
			if h == "loss" {
				col = j
			}
		}
		if col < 0 || len(rows) != 2 {
			t.Fatalf("history.csv = %v", rows)
		}
		v, err := strconv.ParseFloat(rows[1][col], 64)
		if err != nil {
			t.Fatal(err)
		}
		m, err := models.Load(filepath.Join(dir, modelFile))
		if err != nil {
			t.Fatal(err)
		}
		return v, m
	}
	base, _ := loss("0")
	with, m := loss("0.05")
	var sum float64
	for _, p := range m.Params() {
		if p.Decay {
			for _, w := range p.Float64s() {
				sum += math.Abs(w)
			}
		}
	}
	if got, want := with-base, 0.05*sum; math.Abs(got-want) > 1e-5 {
		t.Errorf("-l1 0.05 adds %v to the training loss; want 0.05·Σ|w| = %v", got, want)
	}
	if got := m.Meta.Settings["l1"]; got != 0.05 {
		t.Errorf("model settings l1 = %v; want 0.05", got)
	}
	if _, _, err := runIn(t, context.Background(), "-data", "moons", "-n", "64", "-epochs", "1", "-l1", "-1", "-out", filepath.Join(t.TempDir(), "bad")); err == nil || !strings.Contains(err.Error(), "L1") {
		t.Errorf("-l1 -1: error %v; want one about L1", err)
	}
}
