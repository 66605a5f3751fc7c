package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dlgo/dlgo/serve"
	"github.com/sirupsen/logrus"
)

// server is a server under test, in a process of its own.
type server struct {
	name string
	url  string
	cmd  *exec.Cmd
}

// stop ends the server's process (and its children) and waits for it.
func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	terminate(s.cmd)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		kill(s.cmd)
		<-done
	}
}

// startDlgo starts the dlgo server in a child process (this program, with
// -serve-child), as cmd/serve would serve the models, without request
// logs.
func startDlgo(ctx context.Context, o options, paths map[string]string) (*server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"-serve-child", "-max-batch", strconv.Itoa(o.maxBatch), "-batch-window", o.batchWindow.String()}
	for name, p := range paths {
		args = append(args, "-child-model", name+"="+p)
	}
	cmd := exec.Command(exe, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	setGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{name: "dlgo", cmd: cmd}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		s.stop()
		return nil, fmt.Errorf("the dlgo server did not start: %q, %v", line, err)
	}
	s.url = strings.TrimSpace(line)
	go io.Copy(io.Discard, out)
	return s, waitReady(ctx, s)
}

// serveChild is the dlgo server's process: it prints its address on
// stdout and serves until it is told to stop.
func serveChild(ctx context.Context, o options, stdout io.Writer) error {
	log := logrus.New()
	log.SetOutput(os.Stderr)
	log.SetLevel(logrus.WarnLevel)
	srv, err := serve.New(serve.Config{Logger: log, MaxBatch: o.maxBatch, BatchWindow: o.batchWindow})
	if err != nil {
		return err
	}
	defer srv.Close()
	for _, m := range o.childModel {
		name, path, _ := strings.Cut(m, "=")
		if err := srv.AddFile(name, path); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		hs.Close()
	}()
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// checkPython reports whether python can run the peer.
func checkPython(ctx context.Context, python string) error {
	out, err := exec.CommandContext(ctx, python, "-c", "import numpy, torch, fastapi, uvicorn").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s cannot import numpy, torch, fastapi and uvicorn (on Debian: apt-get install python3-torch python3-fastapi python3-uvicorn): %v %s", python, err, bytes.TrimSpace(out))
	}
	return nil
}

// startPeer starts bench/torch_serve.py with the given uvicorn workers,
// each with one torch thread.
func startPeer(ctx context.Context, python, scripts string, paths map[string]string, workers int) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{filepath.Join(scripts, "torch_serve.py"), "--port", strconv.Itoa(port), "--workers", strconv.Itoa(workers), "--threads", "1"}
	for name, p := range paths {
		args = append(args, "--model", name+"="+p)
	}
	cmd := exec.Command(python, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	// One thread per worker for every library torch may use.
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1")
	setGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{name: fmt.Sprintf("FastAPI+PyTorch, %d worker%s", workers, map[bool]string{true: "s"}[workers > 1]), url: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	if err := waitReady(ctx, s); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls the server's readiness for up to a minute.
func waitReady(ctx context.Context, s *server) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url + "/v2/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not get ready within a minute", s.name)
}

// compareAnswers sends the same request to two servers and returns the
// largest difference between their probabilities; different classes are
// an error.
func compareAnswers(ctx context.Context, a, b *server, model string, body []byte) (float64, error) {
	get := func(s *server) (probs []float32, classes []string, err error) {
		resp, err := http.Post(s.url+"/v2/models/"+model+"/infer", "application/json", bytes.NewReader(body))
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		var ans struct {
			Outputs []struct {
				Name string          `json:"name"`
				Data json.RawMessage `json:"data"`
			} `json:"outputs"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", s.name, err)
		}
		for _, o := range ans.Outputs {
			switch o.Name {
			case "probabilities":
				err = json.Unmarshal(o.Data, &probs)
			case "class":
				err = json.Unmarshal(o.Data, &classes)
			}
			if err != nil {
				return nil, nil, fmt.Errorf("%s: output %s: %w", s.name, o.Name, err)
			}
		}
		return probs, classes, nil
	}
	pa, ca, err := get(a)
	if err != nil {
		return 0, err
	}
	pb, cb, err := get(b)
	if err != nil {
		return 0, err
	}
	if len(pa) != len(pb) || len(pa) == 0 || strings.Join(ca, ",") != strings.Join(cb, ",") {
		return 0, fmt.Errorf("%s: %s and %s disagree: classes %v and %v", model, a.name, b.name, ca, cb)
	}
	worst := 0.0
	for i := range pa {
		worst = math.Max(worst, math.Abs(float64(pa[i]-pb[i])))
	}
	if worst > 1e-4 {
		return worst, fmt.Errorf("%s: %s and %s do not serve the same model: probabilities differ by %v", model, a.name, b.name, worst)
	}
	return worst, nil
}

// batchStats are the totals of a dlgo server's dlgo_batch_samples
// histogram for a model.
type batchStats struct{ samples, calls float64 }

// dlgoBatches reads them from the server's metrics; zero if it cannot.
func dlgoBatches(url, model string) batchStats {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		return batchStats{}
	}
	defer resp.Body.Close()
	var b batchStats
	sc := bufio.NewScanner(resp.Body)
	label := `{model="` + model + `"} `
	for sc.Scan() {
		line := sc.Text()
		for prefix, dst := range map[string]*float64{"dlgo_batch_samples_sum" + label: &b.samples, "dlgo_batch_samples_count" + label: &b.calls} {
			if v, ok := strings.CutPrefix(line, prefix); ok {
				*dst, _ = strconv.ParseFloat(v, 64)
			}
		}
	}
	return b
}
