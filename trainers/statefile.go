package trainers

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

// A training state file is a ZIP archive (stored, not compressed):
//
//	state.json          the format and version, the counters, the
//	                    learning rate, the settings, the history, the
//	                    random generator's state, and the names, shapes
//	                    and types of the arrays that follow
//	params/<i>.bin      parameter i's values, raw little-endian
//	slots/<i>-<s>.bin   the optimiser's slot s of trainable parameter i
//	perm.bin            the order of the samples, little-endian uint32s
//	callbacks/<i>.bin   the state of callback i (Resumable)
//
// The archive's CRC-32s catch a corrupt file; every member's size is
// checked against state.json before it is read.
const (
	// StateFormat names the format in state.json.
	StateFormat = "dlgo-train-state"
	// StateVersion is the version this build writes and reads.
	StateVersion = 1

	stateManifest    = "state.json"
	maxStateManifest = 256 << 20
	// maxStateArray bounds one array, as a model's parameters are bounded.
	maxStateArray = 1 << 33
)

// ErrNotStateFile reports a file that is not a dlgo training state.
var ErrNotStateFile = errors.New("not a dlgo training state file")

type stateDoc struct {
	Format       string        `json:"format"`
	Version      int           `json:"version"`
	Epoch        int           `json:"epoch"`
	Step         int           `json:"step"`
	LearningRate number        `json:"learning_rate"`
	Stopped      bool          `json:"stopped"`
	Reference    number        `json:"divergence_reference"`
	Settings     runSettings   `json:"settings"`
	RNG          []byte        `json:"rng"`
	Samples      int           `json:"samples"`
	Params       []arrayDoc    `json:"params"`
	Steps        int           `json:"optimizer_steps"`
	Slots        int           `json:"optimizer_slots"`
	SlotSizes    []int         `json:"optimizer_sizes,omitempty"`
	Callbacks    []callbackDoc `json:"callbacks,omitempty"`
	History      []historyDoc  `json:"history"`
	Info         []byte        `json:"info,omitempty"`
	Created      time.Time     `json:"created"`
}

type arrayDoc struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	DType string `json:"dtype"`
}

type callbackDoc struct {
	Index int    `json:"index"`
	Type  string `json:"type"`
	Bytes int    `json:"bytes"`
}

// Write writes the state as a training state file.
func (ts *TrainState) Write(w io.Writer) error {
	doc := stateDoc{Format: StateFormat, Version: StateVersion, Epoch: ts.Epoch, Step: ts.Step,
		LearningRate: number(ts.LearningRate), Stopped: ts.Stopped, Reference: number(ts.reference),
		Settings: ts.settings, RNG: ts.rng, Samples: len(ts.perm), Steps: ts.opt.steps,
		History: historyDocs(ts.History), Info: ts.Info, Created: time.Now().UTC().Round(time.Second)}
	for _, a := range ts.params {
		doc.Params = append(doc.Params, arrayDoc{Name: a.name, Shape: a.shape, DType: dtypeName(a.data)})
	}
	for _, p := range ts.opt.slots {
		doc.Slots = len(p)
		if len(p) > 0 {
			doc.SlotSizes = append(doc.SlotSizes, valuesLen(p[0]))
		}
	}
	for _, c := range ts.callbacks {
		doc.Callbacks = append(doc.Callbacks, callbackDoc{Index: c.index, Type: c.kind, Bytes: len(c.data)})
	}
	js, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return fmt.Errorf("trainers: writing the training state: %w", err)
	}
	zw := zip.NewWriter(w)
	add := func(name string, data []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Unix(0, 0).UTC()})
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	}
	if err := add(stateManifest, js); err != nil {
		return err
	}
	for i, a := range ts.params {
		if err := add(fmt.Sprintf("params/%d.bin", i), appendValues(nil, a.data)); err != nil {
			return err
		}
	}
	for i, p := range ts.opt.slots {
		for s, v := range p {
			if err := add(fmt.Sprintf("slots/%d-%d.bin", i, s), appendValues(nil, v)); err != nil {
				return err
			}
		}
	}
	perm := make([]byte, 0, 4*len(ts.perm))
	for _, i := range ts.perm {
		perm = appendUint32(perm, uint32(i))
	}
	if err := add("perm.bin", perm); err != nil {
		return err
	}
	for _, c := range ts.callbacks {
		if err := add(fmt.Sprintf("callbacks/%d.bin", c.index), c.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// LoadTrainState reads the training state file at path.
func LoadTrainState(path string) (*TrainState, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("trainers: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("trainers: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("trainers: %s is not a regular file", path)
	}
	ts, err := ReadTrainState(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("trainers: %s: %w", path, err)
	}
	return ts, nil
}

// ReadTrainState reads a training state file of the given size from r. A
// file that is not one, is truncated or corrupt, or whose parts disagree
// is an error that says so.
func ReadTrainState(r io.ReaderAt, size int64) (*TrainState, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: the archive is truncated or corrupt (%v)", ErrNotStateFile, err)
	}
	members := map[string]*zip.File{}
	for _, f := range zr.File {
		if _, dup := members[f.Name]; dup {
			return nil, fmt.Errorf("%w: member %s appears twice", ErrNotStateFile, f.Name)
		}
		members[f.Name] = f
	}
	mf, ok := members[stateManifest]
	if !ok {
		return nil, fmt.Errorf("%w: the archive has no %s", ErrNotStateFile, stateManifest)
	}
	js, err := readStateMember(mf, -1, maxStateManifest, size)
	if err != nil {
		return nil, err
	}
	var doc stateDoc
	if err := json.Unmarshal(js, &doc); err != nil {
		return nil, fmt.Errorf("%w: %s is not valid: %v", ErrNotStateFile, stateManifest, err)
	}
	if doc.Format != StateFormat {
		return nil, fmt.Errorf("%w: its format is %q", ErrNotStateFile, doc.Format)
	}
	if doc.Version != StateVersion {
		return nil, fmt.Errorf("the training state has format version %d; this build of dlgo reads version %d", doc.Version, StateVersion)
	}
	if doc.Epoch < 0 || doc.Step < 0 || doc.Steps < 0 || doc.Samples < 0 || doc.Slots < 0 || doc.Slots > 16 || len(doc.History) != doc.Epoch {
		return nil, fmt.Errorf("%w: inconsistent counters in %s", ErrNotStateFile, stateManifest)
	}
	ts := &TrainState{Epoch: doc.Epoch, Step: doc.Step, LearningRate: float64(doc.LearningRate), Stopped: doc.Stopped,
		History: historyOf(doc.History), Info: doc.Info, settings: doc.Settings, rng: doc.RNG,
		reference: float64(doc.Reference), opt: updaterState{steps: doc.Steps}}
	member := func(name string, want int64) ([]byte, error) {
		f, ok := members[name]
		if !ok {
			return nil, fmt.Errorf("member %s is missing", name)
		}
		return readStateMember(f, want, want, size)
	}
	for i, a := range doc.Params {
		n, width, err := arraySize(a)
		if err != nil {
			return nil, fmt.Errorf("parameter %d: %w", i+1, err)
		}
		data, err := member(fmt.Sprintf("params/%d.bin", i), n*int64(width))
		if err != nil {
			return nil, err
		}
		values := newValues(width, int(n))
		if _, err := readValues(data, values); err != nil {
			return nil, err
		}
		ts.params = append(ts.params, savedArray{name: a.Name, shape: a.Shape, data: values})
	}
	if doc.Slots > 0 {
		width := 4
		if doc.Settings.DType == "float64" {
			width = 8
		}
		if len(doc.SlotSizes) > len(doc.Params) {
			return nil, fmt.Errorf("%w: optimizer state for more parameters than the model has", ErrNotStateFile)
		}
		for i, n := range doc.SlotSizes {
			if n < 0 || int64(n)*int64(width) > size {
				return nil, fmt.Errorf("%w: optimizer state %d has a bad size", ErrNotStateFile, i+1)
			}
			p := make([]any, doc.Slots)
			for s := range p {
				data, err := member(fmt.Sprintf("slots/%d-%d.bin", i, s), int64(n)*int64(width))
				if err != nil {
					return nil, err
				}
				p[s] = newValues(width, n)
				if _, err := readValues(data, p[s]); err != nil {
					return nil, err
				}
			}
			ts.opt.slots = append(ts.opt.slots, p)
		}
	}
	if int64(doc.Samples)*4 > size {
		return nil, fmt.Errorf("%w: %d samples do not fit in the file", ErrNotStateFile, doc.Samples)
	}
	perm, err := member("perm.bin", 4*int64(doc.Samples))
	if err != nil {
		return nil, err
	}
	ts.perm = make([]int, doc.Samples)
	for i := range ts.perm {
		ts.perm[i] = int(uint32At(perm[4*i:]))
	}
	for _, c := range doc.Callbacks {
		if c.Bytes < 0 || int64(c.Bytes) > size {
			return nil, fmt.Errorf("%w: callback %d has a bad size", ErrNotStateFile, c.Index+1)
		}
		data, err := member(fmt.Sprintf("callbacks/%d.bin", c.Index), int64(c.Bytes))
		if err != nil {
			return nil, err
		}
		ts.callbacks = append(ts.callbacks, callbackState{index: c.Index, kind: c.Type, data: data})
	}
	return ts, nil
}

// arraySize returns the number of values of an array and the bytes of
// each, checking the shape for overflow.
func arraySize(a arrayDoc) (int64, int, error) {
	width := 0
	switch a.DType {
	case "float32":
		width = 4
	case "float64":
		width = 8
	default:
		return 0, 0, fmt.Errorf("dtype %q", a.DType)
	}
	n := int64(1)
	for _, d := range a.Shape {
		if d < 1 || int64(d) > maxStateArray/int64(width)/n {
			return 0, 0, fmt.Errorf("shape %v is out of range", a.Shape)
		}
		n *= int64(d)
	}
	return n, width, nil
}

// readStateMember reads a stored archive member of a file of size bytes;
// its size must be want, or at most limit when want is -1. Sizes are
// checked before anything is allocated.
func readStateMember(f *zip.File, want, limit, size int64) ([]byte, error) {
	if strings.Contains(f.Name, "..") || strings.HasPrefix(f.Name, "/") || strings.Contains(f.Name, "\\") {
		return nil, fmt.Errorf("%w: unsafe member name %q", ErrNotStateFile, f.Name)
	}
	if f.Method != zip.Store || f.CompressedSize64 != f.UncompressedSize64 || f.UncompressedSize64 > uint64(size) {
		return nil, fmt.Errorf("%w: member %s is not stored as dlgo stores it", ErrNotStateFile, f.Name)
	}
	switch {
	case want >= 0 && f.UncompressedSize64 != uint64(want):
		return nil, fmt.Errorf("member %s is %d bytes; want %d", f.Name, f.UncompressedSize64, want)
	case f.UncompressedSize64 > uint64(limit):
		return nil, fmt.Errorf("member %s is %d bytes; at most %d expected", f.Name, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("member %s: %w", f.Name, err)
	}
	defer rc.Close()
	var b bytes.Buffer
	b.Grow(int(f.UncompressedSize64))
	if _, err := io.Copy(&b, io.LimitReader(rc, int64(f.UncompressedSize64)+1)); err != nil {
		return nil, fmt.Errorf("member %s is corrupt: %w", f.Name, err)
	}
	if uint64(b.Len()) != f.UncompressedSize64 {
		return nil, fmt.Errorf("member %s is corrupt: %d bytes for %d declared", f.Name, b.Len(), f.UncompressedSize64)
	}
	return b.Bytes(), nil
}

func valuesLen(d any) int {
	switch v := d.(type) {
	case []float32:
		return len(v)
	case []float64:
		return len(v)
	}
	return 0
}

func dtypeName(d any) string {
	if _, ok := d.([]float64); ok {
		return "float64"
	}
	return "float32"
}

func newValues(width, n int) any {
	if width == 8 {
		return make([]float64, n)
	}
	return make([]float32, n)
}

// appendValues appends the little-endian bytes of a []float32 or
// []float64.
func appendValues(b []byte, d any) []byte {
	switch v := d.(type) {
	case []float32:
		b = slices.Grow(b, 4*len(v))
		out := b[len(b) : len(b)+4*len(v)]
		for i, x := range v {
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(x))
		}
		b = b[:len(b)+4*len(v)]
	case []float64:
		b = slices.Grow(b, 8*len(v))
		out := b[len(b) : len(b)+8*len(v)]
		for i, x := range v {
			binary.LittleEndian.PutUint64(out[8*i:], math.Float64bits(x))
		}
		b = b[:len(b)+8*len(v)]
	}
	return b
}

// readValues fills a []float32 or []float64 from the front of b and
// returns the rest.
func readValues(b []byte, d any) ([]byte, error) {
	switch v := d.(type) {
	case []float32:
		if len(b) < 4*len(v) {
			return nil, fmt.Errorf("%d bytes for %d values", len(b), len(v))
		}
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return b[4*len(v):], nil
	case []float64:
		if len(b) < 8*len(v) {
			return nil, fmt.Errorf("%d bytes for %d values", len(b), len(v))
		}
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		return b[8*len(v):], nil
	}
	return nil, fmt.Errorf("values of type %T", d)
}

func appendUint32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func uint32At(b []byte) uint32               { return binary.LittleEndian.Uint32(b) }
