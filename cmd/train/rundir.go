package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// stateFile is the training state of a run, written after every epoch:
// what -resume continues from.
const stateFile = "train_state.zip"

// runFile matches the names of the files a run writes: its results, its
// plots, its training state, and the temporary files of their atomic
// writes.
var runFile = regexp.MustCompile(`^(model\.dlgo|history\.csv|metrics\.json|train_state\.zip|[a-z0-9_]+\.png|\..+\.tmp)$`)

// runDir is the directory a run writes into.
type runDir struct {
	path string
	// created says this run made the directory: if it ends before writing
	// anything, the directory is removed.
	created bool
}

// openRunDir settles the run directory and makes sure it can be written
// before any work is done. With -out, the directory must not exist or be
// empty, unless -overwrite, which removes the files of the run it holds
// (and refuses a directory holding other files). Without -out it is a new
// directory runs/<model>-<data>-<time>, made unique by a suffix when runs
// start in the same second. A resumed run writes into its own directory.
func openRunDir(c config, label string, resuming bool) (*runDir, error) {
	if resuming {
		d := &runDir{path: c.Out}
		return d, d.probe()
	}
	if c.Out == "" {
		return newRunDir(filepath.Join("runs", label))
	}
	d := &runDir{path: c.Out}
	entries, err := os.ReadDir(c.Out)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(c.Out, 0o755); err != nil {
			return nil, fmt.Errorf("creating the run directory: %w", err)
		}
		d.created = true
	case err != nil:
		return nil, fmt.Errorf("the run directory -out %s: %w", c.Out, err)
	case len(entries) > 0 && !c.Overwrite:
		return nil, usageErr{fmt.Errorf("-out %s is not empty (%s): it holds another run; use -overwrite to replace it, -resume %s to continue it, or another -out",
			c.Out, listNames(entries, 4), c.Out)}
	case len(entries) > 0:
		if err := clearRun(c.Out, entries); err != nil {
			return nil, err
		}
	}
	return d, d.probe()
}

// newRunDir makes a new directory named base, or base-2, base-3, ... if
// that exists: os.Mkdir fails on an existing directory, so two runs never
// get the same one.
func newRunDir(base string) (*runDir, error) {
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return nil, fmt.Errorf("creating the run directory: %w", err)
	}
	for i := 1; ; i++ {
		path := base
		if i > 1 {
			path = base + "-" + strconv.Itoa(i)
		}
		err := os.Mkdir(path, 0o755)
		if err == nil {
			d := &runDir{path: path, created: true}
			return d, d.probe()
		}
		if !errors.Is(err, os.ErrExist) || i == 1000 {
			return nil, fmt.Errorf("creating the run directory: %w", err)
		}
	}
}

// probe writes a small file into the directory and removes it, so that a
// directory that cannot be written (read-only, full) is an error before
// training, not after.
func (d *runDir) probe() error {
	p := filepath.Join(d.path, fmt.Sprintf(".dlgo-write-test.%d.tmp", os.Getpid()))
	err := func() error {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Write(make([]byte, 4096)); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		return f.Close()
	}()
	os.Remove(p)
	if err != nil {
		return fmt.Errorf("the run directory %s cannot be written, so nothing could be saved: %w", d.path, err)
	}
	return nil
}

// removeIfEmpty removes the directory if this run made it and left
// nothing in it.
func (d *runDir) removeIfEmpty() {
	if d != nil && d.created {
		os.Remove(d.path) // fails, as it should, on a directory with files
	}
}

// clearRun removes the files of the run in dir, for -overwrite. A
// directory with any other file is refused: it may not be a run at all.
func clearRun(dir string, entries []os.DirEntry) error {
	var other []os.DirEntry
	isRun := false
	for _, e := range entries {
		if !e.Type().IsRegular() || !runFile.MatchString(e.Name()) {
			other = append(other, e)
		}
		switch e.Name() {
		case modelFile, historyFile, metricsFile, stateFile:
			isRun = true
		}
	}
	if !isRun && len(other) == 0 {
		other = entries
	}
	if len(other) > 0 {
		return usageErr{fmt.Errorf("-overwrite: -out %s holds files that are not a run's (%s); choose another -out", dir, listNames(other, 4))}
	}
	for _, e := range entries {
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("-overwrite: removing the old run's %s: %w", e.Name(), err)
		}
	}
	return nil
}

// listNames lists up to n names of entries, sorted.
func listNames(entries []os.DirEntry, n int) string {
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
		if e.IsDir() {
			names[i] += "/"
		}
	}
	slices.Sort(names)
	if len(names) > n {
		return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
	}
	return strings.Join(names, ", ")
}
