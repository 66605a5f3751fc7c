// Package atomicfile writes files so that a crash or an error never leaves
// a partial file under the final name: the content goes to a temporary
// file in the same directory, which is flushed, synced and then renamed
// over the destination. Model files, run directories, plots, predictions
// and downloads all go through it.
//
// A process killed while it writes leaves its temporary file behind: a
// hidden ".<name>.<pid>-<random>.tmp". Write removes such stale files of
// its own from the directory it writes to: those whose process is gone
// (or, where that cannot be asked, that are a day old), and that have not
// changed for a minute.
package atomicfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// tempName matches the temporary files Write makes: ".<name>.<pid>-<random>.tmp",
// and the older ".<name>.<random>.tmp" (no process id).
var tempName = regexp.MustCompile(`^\..+\.(?:(\d+)-)?\d+\.tmp$`)

// Ages after which a temporary file is stale: one whose process is gone
// and that has not changed for staleAfter, or that is oldAfter old.
const (
	staleAfter = time.Minute
	oldAfter   = 24 * time.Hour
)

// CleanStale removes the stale temporary files Write left in dir (see the
// package comment) and returns how many it removed. Write calls it.
func CleanStale(dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	removed := 0
	now := time.Now()
	for _, e := range entries {
		m := tempName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		age := now.Sub(info.ModTime())
		stale := age > oldAfter
		if m[1] != "" && age > staleAfter {
			if pid, err := strconv.Atoi(m[1]); err == nil && pid != os.Getpid() && !running(pid) {
				stale = true
			}
		} else if m[1] == "" && age > 10*time.Minute {
			stale = true // written before process ids were in the names
		}
		if stale && os.Remove(filepath.Join(dir, e.Name())) == nil {
			removed++
		}
	}
	return removed
}

// Write writes what write produces to path. On success path holds exactly
// that content, readable by everyone (mode 0644) like files os.Create
// makes; if write or the file system fails, path is left as it was and the
// temporary file is removed.
func Write(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	CleanStale(dir)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"."+strconv.Itoa(os.Getpid())+"-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<16)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable where the platform allows
		d.Close()
	}
	return nil
}
