package models

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
)

// trainedLike returns a model with normalization, dropout and non-trivial
// weights and metadata, like one cmd/train saves.
func trainedLike(t *testing.T, opts ...Option) *Model {
	t.Helper()
	st := &datasets.Standardizer{Mean: []float64{1, -2, 3}, Std: []float64{0.5, 2, 1}}
	opts = append([]Option{WithSeed(4), WithStandardizer(st), WithDataInfo(&datasets.Dataset{
		Features: []string{"a", "b", "c"}, Targets: []string{"species"}, Classes: []string{"x", "y", "z"}})}, opts...)
	m, err := NewMLP(3, []Hidden{{Units: 5, Activation: Tanh, Dropout: 0.25}}, MulticlassOutput(3), opts...)
	if err != nil {
		t.Fatal(err)
	}
	m.Meta = Meta{Settings: map[string]any{"optimizer": "adam", "epochs": 3.0}, Metrics: map[string]float64{"accuracy": 0.75}}
	return m
}

func saved(t *testing.T, m *Model) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSaveLoadRoundTrip(t *testing.T) {
	for _, opts := range [][]Option{nil, {WithFloat64()}} {
		m := trainedLike(t, opts...)
		path := filepath.Join(t.TempDir(), "model.dlgo")
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		got, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Spec(), m.Spec()) || !reflect.DeepEqual(got.Meta, m.Meta) {
			t.Errorf("loaded spec/meta differ:\n%+v %+v\n%+v %+v", got.Spec(), got.Meta, m.Spec(), m.Meta)
		}
		for i, p := range m.Params() {
			if !reflect.DeepEqual(got.Params()[i].Float64s(), p.Float64s()) {
				t.Errorf("param %s differs after loading", p.Name)
			}
		}
		x := []float32{1, 2, 3, -1, 0, 4, 0.5, 0.5, 0.5}
		for _, n := range []int{1, 3} {
			a, _ := m.Predict(x[:3*n])
			b, err := got.Predict(x[:3*n])
			if err != nil || !reflect.DeepEqual(a, b) {
				t.Errorf("%d samples: loaded model predicts %v, %v; the original %v", n, b, err, a)
			}
		}
		entries, _ := os.ReadDir(filepath.Dir(path))
		if len(entries) != 1 {
			t.Errorf("Save left %d files in its directory; want only the model", len(entries))
		}
	}
}

// rezip rewrites a model file's archive, letting edit change, drop (nil)
// or add members.
func rezip(t *testing.T, file []byte, edit func(name string, data []byte) []byte, extra map[string][]byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	write := func(name string, data []byte) {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		w.Write(data)
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		var data bytes.Buffer
		data.ReadFrom(rc)
		rc.Close()
		if d := edit(f.Name, data.Bytes()); d != nil {
			write(f.Name, d)
		}
	}
	for name, data := range extra {
		write(name, data)
	}
	zw.Close()
	return b.Bytes()
}

func TestReadRejectsBadFiles(t *testing.T) {
	good := saved(t, trainedLike(t))
	keep := func(_ string, d []byte) []byte { return d }
	replaceIn := func(member, old, new string) func(string, []byte) []byte {
		return func(name string, d []byte) []byte {
			if name == member {
				return bytes.Replace(d, []byte(old), []byte(new), 1)
			}
			return d
		}
	}
	flipped := append([]byte(nil), good...)
	// A byte among the kernel's values (its .npy header is 128 bytes).
	kernel := encodeNpy(trainedLike(t).Param("dense_1/kernel"))
	flipped[bytes.Index(flipped, kernel)+130] ^= 0x55

	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "not a dlgo model file"},
		{"text", []byte("weights: 1 2 3\n"), "not a dlgo model file"},
		{"truncated half", good[:len(good)/2], "truncated or corrupt"},
		{"truncated end", good[:len(good)-10], "truncated or corrupt"},
		{"flipped byte", flipped, "corrupt"},
		{"foreign zip", rezip(t, good, func(n string, d []byte) []byte {
			if n == manifestName {
				return nil
			}
			return d
		}, nil), "no model.json"},
		{"other format", rezip(t, good, replaceIn(manifestName, `"dlgo-model"`, `"keras"`), nil), `format is "keras"`},
		{"newer version", rezip(t, good, replaceIn(manifestName, `"version": 2`, `"version": 99`), nil), "upgrade dlgo"},
		{"bad json", rezip(t, good, replaceIn(manifestName, `{`, `[`), nil), "model.json is not valid"},
		{"bad spec", rezip(t, good, replaceIn(manifestName, `"units": 3`, `"units": 0`), nil), "invalid"},
		{"missing member", rezip(t, good, func(n string, d []byte) []byte {
			if n == "dense_1/bias.npy" {
				return nil
			}
			return d
		}, nil), "dense_1/bias.npy is missing"},
		{"checksum", rezip(t, good, func(n string, d []byte) []byte {
			if n == "dense_1/bias.npy" {
				d = append([]byte(nil), d...)
				d[len(d)-1] ^= 1
			}
			return d
		}, nil), "checksum mismatch"},
		{"oversized member", rezip(t, good, func(n string, d []byte) []byte {
			if n == "dense_1/bias.npy" {
				return make([]byte, 1<<20)
			}
			return d
		}, nil), "is 1048576 bytes; a float32 array of shape [5] takes 20"},
		{"renamed param", rezip(t, good, replaceIn(manifestName, `"name": "dense_1/bias"`, `"name": "dense_9/bias"`), nil), `"dense_9/bias"`},
		{"huge layer", rezip(t, good, replaceIn(manifestName, `"units": 5`, `"units": 20000000`), nil), "parameters take more"},
		{"huge input", rezip(t, good, replaceIn(manifestName, `"input": [
      3
    ]`, `"input": [
      3, 100000000
    ]`), nil), "more values per sample"},
		{"duplicate layer names", rezip(t, good, replaceIn(manifestName, `"name": "dropout_1"`, `"name": "dense_1"`), nil), `both named "dense_1"`},
		{"unknown layer field", rezip(t, good, replaceIn(manifestName, `"rate": 0.25`, `"rate": 0.25, "filters": 3`), nil), `no "filters" setting`},
		{"path in a layer name", rezip(t, good, replaceIn(manifestName, `"name": "dropout_1"`, `"name": "../../x"`), nil), `layer name "../../x"`},
		{"unchanged", rezip(t, good, keep, nil), ""},
	}
	for _, tt := range tests {
		m, err := Read(bytes.NewReader(tt.file), int64(len(tt.file)))
		if tt.want == "" {
			if err != nil || m == nil {
				t.Errorf("%s: Read = %v; want the model", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Read error %v; want one containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := Read(bytes.NewReader([]byte("hello")), 5); !errors.Is(err, ErrNotModelFile) {
		t.Errorf("Read of a text file: %v; want ErrNotModelFile", err)
	}
}

func TestDecodeNpyRejectsMismatches(t *testing.T) {
	m := trainedLike(t)
	p := m.Param("dense_1/kernel")
	good := encodeNpy(p)
	other := trainedLike(t, WithFloat64()).Param("dense_1/kernel")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"wrong dtype", encodeNpy(other), "<f8"},
		{"wrong shape", encodeNpy(m.Param("dense_1/bias")), "shape [5]"},
		{"short data", good[:len(good)-4], "bytes of data"},
		{"not npy", []byte("PK.."), "not a .npy"},
		{"version 3", append(append([]byte(npyMagic), 3, 0), good[8:]...), "version 3"},
		{"fortran", bytes.Replace(good, []byte("False"), []byte("True "), 1), "fortran order True"},
	}
	for _, tt := range tests {
		if err := decodeNpy(tt.data, p); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: decodeNpy error %v; want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.dlgo")
	m := trainedLike(t)
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	// Saving into a directory that does not exist fails without a trace.
	if err := m.Save(filepath.Join(dir, "missing", "model.dlgo")); err == nil {
		t.Error("Save into a missing directory: no error")
	}
	// A failed write leaves the old file as it was.
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	if os.Getuid() != 0 { // root ignores the permission
		if err := m.Save(path); err == nil {
			t.Error("Save into a read-only directory: no error")
		}
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed Save changed the existing file")
	}
}

// NumPy reads the weights of a model file as an .npz archive.
func TestNumPyReadsModelFile(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil || exec.Command(py, "-c", "import numpy").Run() != nil {
		if py, err = exec.LookPath("/usr/bin/python3"); err != nil || exec.Command(py, "-c", "import numpy").Run() != nil {
			t.Skip("python3 with numpy is not installed (apt-get install python3-numpy)")
		}
	}
	m := trainedLike(t)
	path := filepath.Join(t.TempDir(), "model.dlgo")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	script := `import json, sys, numpy as np
f = np.load(sys.argv[1])
w = f["dense_1/kernel"]
man = json.loads(f["model.json"])
print(w.dtype, w.shape, "%.6f" % w[1, 2], man["spec"]["classes"])`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	w := m.Param("dense_1/kernel").Float64s()
	want := fmt.Sprintf("float32 (3, 5) %.6f ['x', 'y', 'z']\n", w[1*5+2])
	if string(out) != want {
		t.Errorf("numpy read %q; want %q", out, want)
	}
}

// No file, however broken, makes Read panic; whatever it accepts predicts.
func FuzzRead(f *testing.F) {
	good := saved(&testing.T{}, trainedLike(&testing.T{}))
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add([]byte("PK\x03\x04"))
	for _, c := range craftedFiles {
		f.Add(craft(f, c.spec, c.params, c.members...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		if _, err := m.Predict(make([]float32, m.InputDim())); err != nil {
			t.Errorf("a model Read accepted cannot predict: %v", err)
		}
	})
}

func TestClone(t *testing.T) {
	m := trainedLike(t)
	c, err := m.Clone()
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{1, 2, 3}
	a, _ := m.Predict(x)
	b, _ := c.Predict(x)
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(c.Spec(), m.Spec()) || !reflect.DeepEqual(c.Meta, m.Meta) {
		t.Fatal("the clone differs from the original")
	}
	k := c.Param("dense_1/kernel")
	v := k.Float64s()
	v[0] += 1
	k.SetFloat64s(v)
	c.Meta.Metrics["accuracy"] = 0
	if m.Param("dense_1/kernel").Float64s()[0] == v[0] || m.Meta.Metrics["accuracy"] == 0 {
		t.Error("changing the clone changed the original")
	}
}
