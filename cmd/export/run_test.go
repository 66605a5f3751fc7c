package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/models"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n%s", path, got)
	}
}

func TestExport(t *testing.T) {
	dir := t.TempDir()
	spec := models.Sequential([]int{4}, models.Dense(8, models.ReLU), models.Dropout(0.2), models.Dense(3, models.Softmax))
	spec.Classes = []string{"setosa", "versicolor", "virginica"}
	m, err := models.New(spec, models.WithSeed(1), models.WithName("iris"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "iris.dlgo")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-model", path}, &out, nil); err != nil {
		t.Fatal(err)
	}
	onnxPath := filepath.Join(dir, "iris.onnx")
	st, err := os.Stat(onnxPath)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() < 100 {
		t.Errorf("iris.onnx has %d bytes", st.Size())
	}
	checkGolden(t, "iris", strings.ReplaceAll(out.String(), dir, "DIR"))

	out.Reset()
	other := filepath.Join(dir, "other.onnx")
	if err := run(context.Background(), []string{"-model", path, "-o", other}, &out, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("-o: %v", err)
	}
}

func TestHelpAndErrors(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, &out, nil); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "help", out.String())
	for _, tc := range []struct {
		args  []string
		usage bool
		want  string
	}{
		{nil, true, "-model is required"},
		{[]string{"-model", "a.dlgo", "b"}, true, `unexpected argument "b"`},
		{[]string{"-model", filepath.Join(t.TempDir(), "missing.dlgo")}, false, "no such file"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), tc.args, &out, nil)
		if err == nil || errors.As(err, new(usageError)) != tc.usage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("export %v: %v; want an error with %q (usage %v)", tc.args, err, tc.want, tc.usage)
		}
		if out.Len() > 0 {
			t.Errorf("export %v failed but printed %q", tc.args, out.String())
		}
	}
}
