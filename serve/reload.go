package serve

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dlgo/dlgo/models"
	"github.com/sirupsen/logrus"
)

// fileStamp identifies a version of a file: a file replaced by a rename
// (as dlgo saves models) is another file, and one rewritten in place has
// another size or modification time.
type fileStamp struct {
	info os.FileInfo
}

func (a fileStamp) same(b os.FileInfo) bool {
	return a.info != nil && b != nil && os.SameFile(a.info, b) && a.info.ModTime().Equal(b.ModTime()) && a.info.Size() == b.Size()
}

// loadFile loads a model file and returns it with the stamp of the very
// file it read.
func loadFile(path string) (*models.Model, fileStamp, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileStamp{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fileStamp{}, err
	}
	m, err := models.Read(f, st.Size())
	if err != nil {
		return nil, fileStamp{info: st}, fmt.Errorf("%s: %w", path, err)
	}
	return m, fileStamp{info: st}, nil
}

// AddFile loads the model file at path and serves it under name (empty: the
// file's base name without ".dlgo"). Reload and Watch load the file again
// when it changes.
func (s *Server) AddFile(name, path string) error {
	if name == "" {
		name = modelNameOf(path)
	}
	m, st, err := loadFile(path)
	if err != nil {
		return fmt.Errorf("serve: model %s: %w", name, err)
	}
	return s.add(name, path, m, st)
}

// AddDir serves every model file (*.dlgo) in dir, each under its base
// name; Reload and Watch also pick up the files added to dir later. Files
// whose name starts with '.' are skipped: they are files being written.
func (s *Server) AddDir(dir string) error {
	paths, err := modelFiles(dir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	for _, p := range paths {
		if err := s.AddFile("", p); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.dirs = append(s.dirs, dir)
	s.mu.Unlock()
	return nil
}

func modelFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range ents {
		n := e.Name()
		if !e.IsDir() && strings.HasSuffix(n, ".dlgo") && !strings.HasPrefix(n, ".") {
			paths = append(paths, filepath.Join(dir, n))
		}
	}
	sort.Strings(paths)
	return paths, nil
}

// modelNameOf names a model after its file: "runs/x/mnist.dlgo" is
// "mnist".
func modelNameOf(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".dlgo")
}

// Reload loads again every model file that changed since it was last
// read, and the new files of the directories added with AddDir. A model
// switches to its new version between two requests: requests already
// running finish on the old one, and none fails. A file that fails to
// load is logged and counted (dlgo_model_reloads_total{result="error"}),
// the old version goes on serving, and the file is tried again when it
// changes again. A file that disappears leaves its model serving.
func (s *Server) Reload() {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	s.mu.RLock()
	var es []*entry
	for _, e := range s.models {
		if e.path != "" {
			es = append(es, e)
		}
	}
	dirs := append([]string(nil), s.dirs...)
	s.mu.RUnlock()
	for _, e := range es {
		s.reloadEntry(e)
	}
	for _, d := range dirs {
		paths, err := modelFiles(d)
		if err != nil {
			s.log.WithError(err).WithField("dir", d).Error("serve: listing the model directory")
			continue
		}
		for _, p := range paths {
			name := modelNameOf(p)
			if s.entry(name) != nil {
				continue
			}
			log := s.log.WithFields(logrus.Fields{"model": name, "file": p})
			if err := s.AddFile(name, p); err != nil {
				log.WithError(err).Error("serve: a new model file failed to load")
				s.metrics.reloads.WithLabelValues("", "error").Inc()
				continue
			}
			log.Info("serve: serving a new model")
		}
	}
}

func (s *Server) reloadEntry(e *entry) {
	log := s.log.WithFields(logrus.Fields{"model": e.name, "file": e.path})
	info, err := os.Stat(e.path)
	if err != nil {
		if e.stamp.info != nil {
			log.WithError(err).Warn("serve: the model file is gone; the loaded model goes on serving")
			e.stamp = fileStamp{}
		}
		return
	}
	if e.stamp.same(info) {
		return
	}
	m, st, err := loadFile(e.path)
	if st.info != nil {
		e.stamp = st
	}
	if err != nil {
		log.WithError(err).Error("serve: the changed model file failed to load; the previous model goes on serving")
		s.metrics.reloads.WithLabelValues(e.name, "error").Inc()
		return
	}
	e.current.Store(newServed(e.name, m, e.path))
	s.metrics.reloads.WithLabelValues(e.name, "ok").Inc()
	s.metrics.loadedAt.WithLabelValues(e.name).SetToCurrentTime()
	log.Info("serve: reloaded the model")
}

// Watch calls Reload every interval until ctx is done.
func (s *Server) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Reload()
		}
	}
}
