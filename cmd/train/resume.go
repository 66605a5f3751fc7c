package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"time"

	"github.com/dlgo/dlgo/internal/atomicfile"
	"github.com/dlgo/dlgo/trainers"
)

// runInfo is what a run's training state keeps of the run, for -resume:
// the settings as given (before the defaults that depend on the data are
// resolved, which resolve does again the same way), the flags given, and
// the data's fingerprint.
type runInfo struct {
	Config     config   `json:"config"`
	Set        []string `json:"set"`
	DataSHA256 string   `json:"data_sha256"`
}

func (c config) info(dataSHA256 string) ([]byte, error) {
	info := runInfo{Config: c, DataSHA256: dataSHA256}
	for f := range c.set {
		info.Set = append(info.Set, f)
	}
	slices.Sort(info.Set)
	return json.Marshal(info)
}

// resumeConfig reads the training state of the run in -resume's directory
// and returns the run's settings and the state. Only -epochs may be given
// with -resume: it lets a finished run train for more epochs.
func resumeConfig(c config) (config, *trainers.TrainState, string, error) {
	dir := c.Resume
	for f := range c.set {
		if f != "resume" && f != "epochs" {
			return c, nil, "", usageErr{fmt.Errorf("-%s: -resume continues the run with its own settings; only -epochs may be given with it", f)}
		}
	}
	ts, err := trainers.LoadTrainState(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil, "", fmt.Errorf("-resume %s: there is no %s there: not a run directory, or its run stopped before the end of its first epoch", dir, stateFile)
	}
	if err != nil {
		return c, nil, "", fmt.Errorf("-resume %s: %w", dir, err)
	}
	var info runInfo
	if err := json.Unmarshal(ts.Info, &info); err != nil {
		return c, nil, "", fmt.Errorf("-resume %s: the training state does not say how the run was started: %w", dir, err)
	}
	rc := info.Config
	rc.set = map[string]bool{}
	for _, f := range info.Set {
		rc.set[f] = true
	}
	rc.Out, rc.Resume = dir, dir
	if c.set["epochs"] {
		if c.Epochs < ts.Epoch {
			return c, nil, "", usageErr{fmt.Errorf("-epochs %d: the run in %s has trained %d already", c.Epochs, dir, ts.Epoch)}
		}
		rc.Epochs, rc.set["epochs"] = c.Epochs, true
	}
	return rc, ts, info.DataSHA256, nil
}

// stateSaver writes the training state into the run directory: after the
// first epoch (so that a directory that cannot take it fails at once), then
// after any epoch that ends at least a second after the last write, and
// the state held back when training ends. A crash loses at most a second
// of training.
type stateSaver struct {
	path    string
	now     func() time.Time
	every   time.Duration
	last    time.Time
	pending *trainers.TrainState
	written int // the epoch of the state on disk
}

func newStateSaver(dir string, now func() time.Time) *stateSaver {
	return &stateSaver{path: filepath.Join(dir, stateFile), now: now, every: time.Second}
}

// save takes the state of an epoch's end (trainers.Config.SaveState).
func (s *stateSaver) save(ts *trainers.TrainState) error {
	s.pending = ts
	if s.written == 0 || ts.Stopped || s.now().Sub(s.last) >= s.every {
		return s.flush()
	}
	return nil
}

// flush writes the state held back, if any.
func (s *stateSaver) flush() error {
	if s.pending == nil {
		return nil
	}
	if err := atomicfile.Write(s.path, s.pending.Write); err != nil {
		return fmt.Errorf("writing the training state: %w", err)
	}
	s.written, s.last, s.pending = s.pending.Epoch, s.now(), nil
	return nil
}
