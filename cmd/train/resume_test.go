package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

// TestMain lets a test run the command's main in a child process, to send
// it signals: DLGO_TRAIN_MAIN holds the arguments as a JSON array.
func TestMain(m *testing.M) {
	if args := os.Getenv("DLGO_TRAIN_MAIN"); args != "" {
		os.Args = []string{"train"}
		if err := json.Unmarshal([]byte(args), &os.Args); err != nil {
			panic(err)
		}
		os.Args = append([]string{"train"}, os.Args...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// resumeArgs trains what has state: dropout, Adam, a validation split,
// early stopping keeping the best weights, a learning rate reduced on
// plateaus, balanced class weights and clipping.
func resumeArgs(dir string, more ...string) []string {
	return append([]string{"-data", "moons", "-n", "300", "-hidden", "16", "-dropout", "0.2", "-lr", "0.02", "-epochs", "4",
		"-patience", "10", "-lr-schedule", "plateau", "-lr-patience", "1", "-class-weight", "balanced", "-clip", "1", "-out", dir}, more...)
}

// modelMembers returns the .npy members of a model file: its weights,
// byte for byte.
func modelMembers(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".npy") {
			continue
		}
		rc, _ := f.Open()
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

// historyRows returns history.csv without its seconds column.
func historyRows(t *testing.T, dir string) string {
	var b strings.Builder
	for _, r := range readCSV(t, filepath.Join(dir, historyFile)) {
		b.WriteString(strings.Join(r[:len(r)-1], ",") + "\n")
	}
	return b.String()
}

// A run interrupted through run's context after epoch 2 of 4, then
// resumed with -resume, ends with the same weights (byte for byte) and the
// same history as the run that was not interrupted.
func TestResumeIsBitIdentical(t *testing.T) {
	whole := filepath.Join(t.TempDir(), "whole")
	if out, _, err := runIn(t, context.Background(), resumeArgs(whole)...); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	part := filepath.Join(t.TempDir(), "part")
	// 270 training samples in batches of 32: 9 iterations, and one check
	// of the context before each epoch: the 21st check is before epoch 3.
	_, _, err := runIn(t, &cancelAfter{Context: context.Background(), n: 20}, resumeArgs(part)...)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "before epoch 3") || !strings.Contains(err.Error(), "-resume "+part) {
		t.Fatalf("interrupted run: %v; want an interruption before epoch 3 that says how to resume", err)
	}
	if doc := readMetrics(t, part); doc.EpochsRun != 2 {
		t.Fatalf("the interrupted run saved %d epochs; want 2", doc.EpochsRun)
	}
	out, _, err := runIn(t, context.Background(), "-resume", part)
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Resuming the run in "+part+" after epoch 2 of 4") || !strings.Contains(out, "Epoch 3/4") || strings.Contains(out, "Epoch 2/4") {
		t.Errorf("the resumed run's output does not start at epoch 3:\n%s", out)
	}
	a, b := modelMembers(t, filepath.Join(whole, modelFile)), modelMembers(t, filepath.Join(part, modelFile))
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d and %d weights", len(a), len(b))
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between the uninterrupted and the resumed run", name)
		}
	}
	if h1, h2 := historyRows(t, whole), historyRows(t, part); h1 != h2 {
		t.Errorf("histories differ:\n%s\n%s", h1, h2)
	}
	if !strings.Contains(historyRows(t, whole), "learning_rate") {
		t.Error("the history lacks the learning rate of the schedule")
	}
	doc, whole1 := readMetrics(t, part), readMetrics(t, whole)
	if doc.ResumedAfter != 2 || doc.Kept != "best" || doc.KeptEpoch != whole1.KeptEpoch || doc.Train["loss"] != whole1.Train["loss"] {
		t.Errorf("metrics.json: resumed after %d, kept %s epoch %d (uninterrupted %d), loss %v (%v)",
			doc.ResumedAfter, doc.Kept, doc.KeptEpoch, whole1.KeptEpoch, doc.Train["loss"], whole1.Train["loss"])
	}

	// A finished run resumes to nothing more; with more epochs, it goes on.
	if _, _, err := runIn(t, context.Background(), "-resume", part); err != nil {
		t.Errorf("resuming a finished run: %v", err)
	}
	if _, _, err := runIn(t, context.Background(), "-resume", part, "-epochs", "6"); err != nil {
		t.Errorf("resuming for 6 epochs: %v", err)
	} else if doc := readMetrics(t, part); doc.EpochsRun != 6 {
		t.Errorf("after -epochs 6: %d epochs", doc.EpochsRun)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-resume", part, "-lr", "0.1"}, "only -epochs may be given"},
		{[]string{"-resume", part, "-epochs", "3"}, "has trained 6 already"},
		{[]string{"-resume", t.TempDir()}, "there is no train_state.zip"},
	} {
		if _, _, err := runIn(t, context.Background(), tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v; want an error containing %q", tt.args, err, tt.want)
		}
	}
}

// A resumed run must have the data the run started with.
func TestResumeRefusesOtherData(t *testing.T) {
	tmp := t.TempDir()
	csv := irisLike(t, tmp, "iris.csv", 60, 0)
	dir := filepath.Join(tmp, "run")
	if _, _, err := runIn(t, &cancelAfter{Context: context.Background(), n: 30}, "-data", csv, "-epochs", "50", "-patience", "0", "-out", dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("run: %v; want an interruption", err)
	}
	irisLike(t, tmp, "iris.csv", 60, 1)
	if _, _, err := runIn(t, context.Background(), "-resume", dir); err == nil || !strings.Contains(err.Error(), "the data differs") {
		t.Errorf("resume with changed data: %v", err)
	}
}

// An -out that holds a run is refused (a usage error, exit status 2) and
// left alone; -overwrite replaces it, old plots included.
func TestOutIsNeverOverwritten(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if _, _, err := runIn(t, context.Background(), "-data", "moons", "-n", "100", "-epochs", "2", "-out", dir); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, modelFile))
	_, _, err := runIn(t, context.Background(), "-data", "linear", "-n", "100", "-model", "linreg", "-epochs", "2", "-out", dir)
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "is not empty") || !strings.Contains(err.Error(), "-overwrite") {
		t.Fatalf("a second run into %s: %v; want a usage error", dir, err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, modelFile)); !bytes.Equal(before, after) {
		t.Error("the refused run changed the model")
	}
	if _, _, err := runIn(t, context.Background(), "-data", "linear", "-n", "100", "-model", "linreg", "-epochs", "2", "-out", dir, "-overwrite"); err != nil {
		t.Fatalf("-overwrite: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "decision_regions.png")); !os.IsNotExist(err) {
		t.Error("-overwrite left the old run's decision_regions.png")
	}
	if doc := readMetrics(t, dir); doc.Model != "linreg" {
		t.Errorf("metrics.json describes %s; want the new linreg", doc.Model)
	}
	// A directory with files no run writes is refused even with -overwrite.
	other := t.TempDir()
	writeTestFile(t, other, "thesis.tex", "...")
	if _, _, err := runIn(t, context.Background(), "-data", "moons", "-n", "100", "-epochs", "1", "-out", other, "-overwrite"); err == nil || !strings.Contains(err.Error(), "thesis.tex") {
		t.Errorf("-overwrite of a directory with thesis.tex: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "thesis.tex")); err != nil {
		t.Error("-overwrite removed a file it did not write")
	}
}

// Default run directories are unique, even for runs started in the same
// second, and concurrently.
func TestDefaultRunDirsAreUnique(t *testing.T) {
	t.Chdir(t.TempDir())
	var dirs []string
	for range 2 {
		out, _, err := runIn(t, context.Background(), "-data", "xor", "-n", "40", "-epochs", "1")
		if err != nil {
			t.Fatal(err)
		}
		i := strings.Index(out, "Saved in ")
		dirs = append(dirs, strings.TrimSuffix(strings.SplitN(out[i+len("Saved in "):], "\n", 2)[0], ":"))
	}
	if dirs[0] != filepath.Join("runs", "mlp-xor-20261127-120000") || dirs[1] != dirs[0]+"-2" {
		t.Errorf("two runs in the same second wrote into %v; want base and base-2", dirs)
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			d, err := newRunDir(filepath.Join("runs", "same"))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[d.path] {
				t.Errorf("two runs got %s", d.path)
			}
			seen[d.path] = true
		})
	}
	wg.Wait()
}

// An -out that cannot be written fails before the first epoch, before the
// data is even loaded (a CSV file here that does not exist, which would
// be an error of its own). Running as root,
// whom permissions do not stop, the test makes a read-only directory by
// bind-mounting it read-only in a mount namespace of its own (unshare -m),
// where it can; a path under a regular file and one in /proc fail for
// root too.
func TestUnwritableOutFailsBeforeTraining(t *testing.T) {
	check := func(name, dir string) {
		t.Helper()
		out, _, err := runIn(t, context.Background(), "-data", "/nonexistent/data.csv", "-out", dir)
		if err == nil || strings.Contains(out, "Epoch 1") || !strings.Contains(err.Error(), dir) || strings.Contains(err.Error(), "data.csv") {
			t.Errorf("%s: run = %v\n%s\nwant an error naming %s before the data is read", name, err, out, dir)
		}
	}
	if dir := os.Getenv("DLGO_READONLY_DIR"); dir != "" {
		check("read-only bind mount", dir) // in the child, in its own mount namespace
		t.Log("read-only directory checked")
		return
	}
	file := writeTestFile(t, t.TempDir(), "a-file", "a,b\n")
	check("under a regular file", filepath.Join(file, "run"))
	check("in /proc", "/proc/dlgo-run")

	ro := t.TempDir()
	switch {
	case os.Getuid() != 0:
		if err := os.Chmod(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(ro, 0o700)
		check("read-only directory", ro)
	default:
		unshare, err := exec.LookPath("unshare")
		if err != nil {
			t.Log("running as root without unshare: the read-only directory case is not run")
			return
		}
		if out, err := exec.Command(unshare, "-m", "--propagation", "private", "true").CombinedOutput(); err != nil {
			t.Logf("running as root, but no mount namespace here (%v: %s): the read-only case is not run", err, bytes.TrimSpace(out))
			return
		}
		cmd := exec.Command(unshare, "-m", "--propagation", "private", "sh", "-c",
			`mount --bind -o ro "$0" "$0" || exit 42; exec "$1" -test.run '^TestUnwritableOutFailsBeforeTraining$' -test.v`, ro, os.Args[0])
		cmd.Env = append(os.Environ(), "DLGO_READONLY_DIR="+ro)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 42 {
			t.Logf("cannot bind-mount a read-only directory here (%s): the read-only case is not run", bytes.TrimSpace(out))
			return
		}
		if err != nil || !bytes.Contains(out, []byte("read-only directory checked")) {
			t.Errorf("the read-only directory case failed: %v\n%s", err, out)
		}
	}
}

// A picture that cannot be saved is a warning: the run ends well, with its
// model, metrics and report. Here accuracy.png is a directory, which no
// file can be renamed over (not even by root), in a run resumed after an
// interruption.
func TestPlotFailureIsAWarning(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if _, _, err := runIn(t, &cancelAfter{Context: context.Background(), n: 10}, "-data", "moons", "-n", "300", "-epochs", "3", "-out", dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("run: %v; want an interruption", err)
	}
	os.Remove(filepath.Join(dir, "accuracy.png"))
	if err := os.MkdirAll(filepath.Join(dir, "accuracy.png", "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runIn(t, context.Background(), "-resume", dir)
	if err != nil {
		t.Fatalf("a plot failure failed the run: %v", err)
	}
	if !strings.Contains(stderr, "accuracy.png is not drawn") || !strings.Contains(stdout, "Saved in "+dir) || !strings.Contains(stdout, "loss.png") {
		t.Errorf("want a warning and the report:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if _, err := models.Load(filepath.Join(dir, modelFile)); err != nil {
		t.Error(err)
	}
}

// A classifier with 120 classes trains; its confusion matrix is not drawn,
// with a note.
func TestManyClassesSkipTheConfusionMatrix(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,y,label\n")
	for i := range 480 {
		fmt.Fprintf(&b, "%d,%d,c%03d\n", i%120, (i*7)%13, i%120)
	}
	dir := filepath.Join(t.TempDir(), "run")
	_, stderr, err := runIn(t, context.Background(), "-data", writeTestFile(t, t.TempDir(), "many.csv", b.String()), "-target", "label", "-epochs", "2", "-patience", "0", "-val", "0", "-out", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "confusion_matrix.png is not drawn: 120 classes") {
		t.Errorf("stderr lacks the note:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "confusion_matrix.png")); !os.IsNotExist(err) {
		t.Error("a confusion matrix of 120 classes was drawn")
	}
}

// Ctrl-C while the results are being saved: they are saved, and the run
// says it was interrupted (exit status 130).
func TestInterruptDuringSaving(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	// moons 300: 9 iterations and one check per epoch; after 2 epochs the
	// 21st check is run's own, after the save.
	_, _, err := runIn(t, &cancelAfter{Context: context.Background(), n: 20}, "-data", "moons", "-n", "300", "-epochs", "2", "-out", dir)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "results were saved in "+dir) {
		t.Fatalf("run: %v; want an interruption after the training", err)
	}
	if doc := readMetrics(t, dir); doc.EpochsRun != 2 || doc.Interrupted != "" {
		t.Errorf("metrics.json: %d epochs, interrupted %q; want the 2 epochs of a complete training", doc.EpochsRun, doc.Interrupted)
	}
	if _, err := models.Load(filepath.Join(dir, modelFile)); err != nil {
		t.Error(err)
	}
}

// Loading a CSV stops when the run is interrupted.
func TestInterruptWhileLoading(t *testing.T) {
	csv := irisLike(t, t.TempDir(), "iris.csv", 200, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := runIn(t, ctx, "-data", csv, "-out", filepath.Join(t.TempDir(), "run"))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("run with a cancelled context: %v; want an interruption while reading", err)
	}
}

// The first signal cancels the run; the second exits at once with 130.
func TestInterrupts(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	ctx, cancel := context.WithCancelCause(context.Background())
	exited := make(chan int, 1)
	var stderr syncBuffer
	go interrupts(sigs, cancel, &stderr, func(code int) { exited <- code })
	sigs <- os.Interrupt
	<-ctx.Done()
	if !errors.Is(context.Cause(ctx), context.Canceled) {
		t.Errorf("cause %v", context.Cause(ctx))
	}
	select {
	case <-exited:
		t.Fatal("one signal made it exit")
	case <-time.After(20 * time.Millisecond):
	}
	sigs <- os.Interrupt
	if code := <-exited; code != 130 {
		t.Errorf("exit status %d; want 130", code)
	}
	if s := stderr.String(); !strings.Contains(s, "interrupt again to quit at once") || !strings.Contains(s, "quitting") {
		t.Errorf("stderr %q", s)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The command itself, in a child process: a first SIGINT stops and saves,
// exit status 130; two in a row exit at once with 130, and whatever is in
// the run directory is whole: no file is ever half written.
func TestSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the command")
	}
	for _, signals := range []int{1, 2} {
		dir := filepath.Join(t.TempDir(), "run")
		args, _ := json.Marshal([]string{"-data", "moons", "-n", "4000", "-hidden", "32", "-epochs", "1000", "-out", dir})
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "DLGO_TRAIN_MAIN="+string(args))
		stdout, _ := cmd.StdoutPipe()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait for the end of the second epoch: a state and a model to save.
		buf := make([]byte, 1<<16)
		var seen []byte
		for !bytes.Contains(seen, []byte("Epoch 2/1000")) {
			n, err := stdout.Read(buf)
			seen = append(seen, buf[:n]...)
			if err != nil {
				t.Fatalf("the command ended early: %v\n%s\n%s", err, seen, stderr.String())
			}
		}
		go io.Copy(io.Discard, stdout)
		for range signals {
			cmd.Process.Signal(syscall.SIGINT)
		}
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 130 {
			t.Errorf("%d signals: %v; want exit status 130\n%s", signals, err, stderr.String())
		}
		if signals == 1 {
			if _, err := models.Load(filepath.Join(dir, modelFile)); err != nil {
				t.Errorf("after one signal: %v", err)
			}
		}
		// Every file under its final name is whole.
		if _, err := os.Stat(filepath.Join(dir, modelFile)); err == nil {
			if _, err := models.Load(filepath.Join(dir, modelFile)); err != nil {
				t.Errorf("%d signals: a broken model file: %v", signals, err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, stateFile)); err == nil {
			if _, err := trainers.LoadTrainState(filepath.Join(dir, stateFile)); err != nil {
				t.Errorf("%d signals: a broken training state: %v", signals, err)
			}
		}
		if data, err := os.ReadFile(filepath.Join(dir, metricsFile)); err == nil && !json.Valid(data) {
			t.Errorf("%d signals: a broken metrics.json", signals)
		}
	}
}
