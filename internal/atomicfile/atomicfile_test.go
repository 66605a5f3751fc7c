package atomicfile

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "hello"); return err }); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	if string(got) != "hello" || st.Mode().Perm() != 0o644 {
		t.Errorf("file %q with mode %v; want \"hello\" and 0644", got, st.Mode().Perm())
	}
	// A failing write leaves the old content and no temporary file.
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Write = %v; want the writer's error", err)
	}
	got, _ = os.ReadFile(path)
	entries, _ := os.ReadDir(dir)
	if string(got) != "hello" || len(entries) != 1 {
		t.Errorf("after a failed write: content %q, %d files; want \"hello\" and 1 file", got, len(entries))
	}
	if err := Write(filepath.Join(dir, "missing", "x"), func(io.Writer) error { return nil }); err == nil {
		t.Error("Write into a missing directory: no error")
	}
}

func ExampleWrite() {
	path := filepath.Join(os.TempDir(), "atomicfile-example.txt")
	defer os.Remove(path)
	err := Write(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "all or nothing\n")
		return err
	})
	data, _ := os.ReadFile(path)
	os.Stdout.Write(data)
	_ = err
	// Output: all or nothing
}

// Temporary files of killed writers are removed by the next write to the
// directory; those of live processes, recent ones and other files stay.
func TestWriteRemovesStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	dead := deadPID(t)
	files := map[string]bool{ // name: removed
		".model.dlgo." + strconv.Itoa(dead) + "-123456.tmp":     true,  // its process is gone
		".history.csv.4051234.tmp":                              true,  // the older naming, an hour old
		".model.dlgo." + strconv.Itoa(os.Getppid()) + "-99.tmp": false, // a live process
		".loss.png." + strconv.Itoa(dead) + "-7.tmp":            false, // gone, but just written (below)
		"notes.tmp":   false, // not one of ours
		".hidden.txt": false,
		"model.dlgo." + strconv.Itoa(dead) + "-1.tmp": false, // not hidden
	}
	for name := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(name, ".loss.png") {
			os.Chtimes(p, old, old)
		}
	}
	if err := Write(filepath.Join(dir, "metrics.json"), func(w io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for name, removed := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if gone := os.IsNotExist(err); gone != removed {
			t.Errorf("%s: removed %v; want %v", name, gone, removed)
		}
	}
}

// deadPID returns the id of a process that has exited.
func deadPID(t *testing.T) int {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}
