package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
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
