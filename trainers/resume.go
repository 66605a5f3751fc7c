package trainers

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"time"

	"gorgonia.org/tensor"
)

// TrainState is everything a training run needs to continue where it
// stopped, taken at the end of an epoch: the parameters (weights and
// running statistics), the optimiser's state and step count, the random
// generator's state and the order of the samples, the learning rate, the
// history, and the state of the callbacks that have one (Resumable:
// early stopping, checkpointing, ReduceLROnPlateau). Fit hands one to
// Config.SaveState after every epoch; given back as Config.Resume, it
// makes Fit continue with the next epoch, and a run interrupted and
// resumed ends with exactly the weights and history (but the durations)
// of the run that was not interrupted. Write and ReadTrainState store it.
type TrainState struct {
	// Epoch is the number of completed epochs; Step the number of
	// updates so far.
	Epoch, Step int
	// LearningRate is the rate in force at the end of the epoch.
	LearningRate float64
	// Stopped says a callback ended the run (early stopping): resuming it
	// trains no further epoch.
	Stopped bool
	// History holds the completed epochs.
	History *History
	// Info is the caller's own description of the run, saved and read
	// back with the state; Fit ignores it (cmd/train keeps its settings
	// here).
	Info []byte

	settings  runSettings
	params    []savedArray
	rng       []byte
	perm      []int
	opt       updaterState
	reference float64
	callbacks []callbackState
}

// savedArray is one parameter's values: a copy of its []float32 or
// []float64 data.
type savedArray struct {
	name  string
	shape []int
	data  any
}

// callbackState is the saved state of the callback at index in
// Config.Callbacks, of type kind.
type callbackState struct {
	index int
	kind  string
	data  []byte
}

// runSettings are the settings a resumed run must share with the run
// that saved the state, or it would not continue the same computation.
type runSettings struct {
	Optimizer    string    `json:"optimizer"`
	Parameters   string    `json:"optimizer_parameters"`
	BatchSize    int       `json:"batch_size"`
	TrainSize    int       `json:"train_size"`
	ValSize      int       `json:"validation_size"`
	L2           number    `json:"l2"`
	Seed         int64     `json:"seed"`
	NoShuffle    bool      `json:"no_shuffle"`
	ClipNorm     number    `json:"clip_norm"`
	ClassWeights []float64 `json:"class_weights,omitempty"`
	DType        string    `json:"dtype"`
}

// Resumable is a callback with a state that a resumed run needs, such as
// early stopping's best value and patience count. Fit saves it with every
// TrainState, and gives it back to the callback at the same position in
// Config.Callbacks, after OnTrainBegin, when it resumes.
type Resumable interface {
	Callback
	// SaveState returns the callback's state.
	SaveState() ([]byte, error)
	// RestoreState puts back a state SaveState returned; s is the
	// resumed run's state, with the model holding the saved weights.
	RestoreState(s *State, data []byte) error
}

// settings returns the run's settings to check a resumed run against.
func (t *trainer) settings() runSettings {
	o := t.cfg.Optimizer
	return runSettings{
		Optimizer:  o.Name(),
		Parameters: fmt.Sprintf("%+v", o),
		BatchSize:  t.cfg.BatchSize, TrainSize: t.train.Len(), ValSize: t.state.ValSize,
		L2: number(t.cfg.L2), Seed: t.cfg.Seed, NoShuffle: t.cfg.NoShuffle,
		ClipNorm: number(t.cfg.ClipNorm), ClassWeights: t.cfg.ClassWeights, DType: t.spec.DType,
	}
}

// trainState takes the state at the end of an epoch; perm is the order
// of the samples.
func (t *trainer) trainState(perm []int) (*TrainState, error) {
	s := &t.state
	rng, err := t.src.MarshalBinary()
	if err != nil {
		return nil, err
	}
	ts := &TrainState{Epoch: s.Epoch, Step: s.Step, LearningRate: s.LearningRate, Stopped: s.Stop,
		History: &History{Epochs: slices.Clone(s.History.Epochs)},
		Info:    t.cfg.Info, settings: t.settings(), rng: rng, perm: slices.Clone(perm),
		opt: t.upd.export(), reference: t.reference}
	for _, p := range t.m.Params() {
		ts.params = append(ts.params, savedArray{name: p.Name, shape: slices.Clone(p.Shape()), data: cloneData(p.Value.Data())})
	}
	for i, cb := range t.cfg.Callbacks {
		r, ok := cb.(Resumable)
		if !ok {
			continue
		}
		data, err := r.SaveState()
		if err != nil {
			return nil, fmt.Errorf("trainers: saving the state of callback %d (%T): %w", i+1, cb, err)
		}
		ts.callbacks = append(ts.callbacks, callbackState{index: i, kind: fmt.Sprintf("%T", cb), data: data})
	}
	return ts, nil
}

// resume puts the run in the state ts: the model's parameters, the
// optimiser, the random generator, the order of the samples (into perm),
// the counters, the history and the callbacks.
func (t *trainer) resume(ts *TrainState, perm []int) error {
	if want := t.settings(); !reflect.DeepEqual(ts.settings, want) {
		return fmt.Errorf("trainers: the training state does not fit this run: %s", settingsDiff(ts.settings, want))
	}
	params := t.m.Params()
	if len(ts.params) != len(params) {
		return fmt.Errorf("trainers: the training state has %d parameters; the model has %d", len(ts.params), len(params))
	}
	for i, p := range params {
		a := ts.params[i]
		if a.name != p.Name || !slices.Equal(a.shape, p.Shape()) || reflect.TypeOf(a.data) != reflect.TypeOf(p.Value.Data()) {
			return fmt.Errorf("trainers: the training state's parameter %d is %s %v; the model's is %s %v", i+1, a.name, a.shape, p.Name, p.Shape())
		}
	}
	if len(ts.perm) != len(perm) || !isPermutation(ts.perm) {
		return fmt.Errorf("trainers: the training state's order of the samples does not fit the %d training samples", len(perm))
	}
	sizes := make([]int, len(t.params))
	for i, p := range t.params {
		sizes[i] = p.Size()
	}
	if err := t.upd.restore(ts.opt, sizes); err != nil {
		return fmt.Errorf("trainers: the training state's optimizer: %w", err)
	}
	if err := t.src.UnmarshalBinary(ts.rng); err != nil {
		return fmt.Errorf("trainers: the training state's random generator: %w", err)
	}
	for i, p := range params {
		switch d := p.Value.Data().(type) {
		case []float32:
			copy(d, ts.params[i].data.([]float32))
		case []float64:
			copy(d, ts.params[i].data.([]float64))
		}
	}
	copy(perm, ts.perm)
	s := &t.state
	s.Epoch, s.Step, s.LearningRate = ts.Epoch, ts.Step, ts.LearningRate
	s.History.Epochs = slices.Clone(ts.History.Epochs)
	s.Logs = s.History.Last()
	t.reference = ts.reference
	saved := map[int]callbackState{}
	for _, c := range ts.callbacks {
		saved[c.index] = c
	}
	for i, cb := range t.cfg.Callbacks {
		r, ok := cb.(Resumable)
		c, has := saved[i]
		switch {
		case !ok && !has:
			continue
		case ok != has || c.kind != fmt.Sprintf("%T", cb):
			return fmt.Errorf("trainers: the training state's callbacks differ from this run's at callback %d (%T)", i+1, cb)
		}
		if err := r.RestoreState(s, c.data); err != nil {
			return fmt.Errorf("trainers: restoring callback %d (%T): %w", i+1, cb, err)
		}
		delete(saved, i)
	}
	if len(saved) > 0 {
		return errors.New("trainers: the training state has the state of callbacks this run does not have")
	}
	return nil
}

// settingsDiff names the first setting that differs.
func settingsDiff(saved, now runSettings) string {
	a, b := reflect.ValueOf(saved), reflect.ValueOf(now)
	for i := range a.NumField() {
		if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
			name := a.Type().Field(i).Tag.Get("json")
			for j, c := range name {
				if c == ',' {
					name = name[:j]
					break
				}
			}
			return fmt.Sprintf("it was saved with %s %v; this run has %v", name, a.Field(i).Interface(), b.Field(i).Interface())
		}
	}
	return "the settings differ"
}

// isPermutation says whether p holds each of 0..len(p)-1 once.
func isPermutation(p []int) bool {
	seen := make([]bool, len(p))
	for _, i := range p {
		if i < 0 || i >= len(p) || seen[i] {
			return false
		}
		seen[i] = true
	}
	return true
}

func cloneData(d any) any {
	switch v := d.(type) {
	case []float32:
		return slices.Clone(v)
	case []float64:
		return slices.Clone(v)
	}
	return nil
}

// newSource returns the trainer's random source for a seed.
func newSource(seed int64) *rand.PCG {
	return rand.NewPCG(uint64(seed), 0x2545f4914f6cdd1d)
}

// number is a float64 that JSON encodes exactly (the shortest decimal
// that reads back to the same bits) and also when it is not finite, as
// the strings "NaN", "+Inf" and "-Inf".
type number float64

func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

func (n *number) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' {
		s = s[1 : len(s)-1]
		if s != "NaN" && s != "+Inf" && s != "-Inf" {
			return fmt.Errorf("%q is not a number", s)
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return err
	}
	*n = number(f)
	return nil
}

// historyDoc is a History as JSON, exactly.
type historyDoc struct {
	Epoch    int               `json:"epoch"`
	Logs     map[string]number `json:"logs"`
	Duration time.Duration     `json:"duration_ns"`
}

func historyDocs(h *History) []historyDoc {
	out := make([]historyDoc, len(h.Epochs))
	for i, e := range h.Epochs {
		logs := make(map[string]number, len(e.Logs))
		for k, v := range e.Logs {
			logs[k] = number(v)
		}
		out[i] = historyDoc{Epoch: e.Epoch, Logs: logs, Duration: e.Duration}
	}
	return out
}

func historyOf(docs []historyDoc) *History {
	h := &History{Epochs: make([]EpochLog, len(docs))}
	for i, d := range docs {
		logs := make(map[string]float64, len(d.Logs))
		for k, v := range d.Logs {
			logs[k] = float64(v)
		}
		h.Epochs[i] = EpochLog{Epoch: d.Epoch, Logs: logs, Duration: d.Duration}
	}
	return h
}

// weightsBlob encodes a callback's state: a JSON header and, if ws is not
// nil, the raw little-endian values of each tensor, in order.
func weightsBlob(header any, ws []*tensor.Dense) ([]byte, error) {
	js, err := json.Marshal(header)
	if err != nil {
		return nil, err
	}
	b := appendUint32(nil, uint32(len(js)))
	b = append(b, js...)
	for _, w := range ws {
		b = appendValues(b, w.Data())
	}
	return b, nil
}

// readWeightsBlob decodes weightsBlob's output into header and, if
// weights follow, into copies of the model's parameters (nil if none).
func readWeightsBlob(data []byte, header any, m Model) ([]*tensor.Dense, error) {
	if len(data) < 4 {
		return nil, errors.New("state too short")
	}
	n := uint64(uint32At(data))
	if n > uint64(len(data)-4) {
		return nil, errors.New("state header cut short")
	}
	if err := json.Unmarshal(data[4:4+n], header); err != nil {
		return nil, err
	}
	rest := data[4+n:]
	if len(rest) == 0 {
		return nil, nil
	}
	var ws []*tensor.Dense
	for _, p := range m.Params() {
		w := p.Value.Clone().(*tensor.Dense)
		var err error
		if rest, err = readValues(rest, w.Data()); err != nil {
			return nil, fmt.Errorf("weights of %s: %w", p.Name, err)
		}
		ws = append(ws, w)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d bytes after the weights", len(rest))
	}
	return ws, nil
}

// watchDoc is a watch's state in JSON.
type watchDoc struct {
	Best      number `json:"best"`
	BestEpoch int    `json:"best_epoch"`
}

type earlyStoppingDoc struct {
	watchDoc
	Wait         int  `json:"wait"`
	StoppedEpoch int  `json:"stopped_epoch"`
	Weights      bool `json:"weights"`
}

// SaveState returns the best value and epoch so far, the epochs waited,
// and the best weights when they are kept.
func (e *EarlyStopping) SaveState() ([]byte, error) {
	return weightsBlob(earlyStoppingDoc{watchDoc: watchDoc{number(e.w.best), e.w.bestEpoch}, Wait: e.wait,
		StoppedEpoch: e.StoppedEpoch, Weights: e.weights != nil}, e.weights)
}

// RestoreState puts back what SaveState returned.
func (e *EarlyStopping) RestoreState(s *State, data []byte) error {
	var doc earlyStoppingDoc
	ws, err := readWeightsBlob(data, &doc, s.Model)
	if err != nil {
		return fmt.Errorf("early stopping: %w", err)
	}
	if doc.Weights != (ws != nil) {
		return errors.New("early stopping: the best weights are missing")
	}
	e.w.best, e.w.bestEpoch = float64(doc.Best), doc.BestEpoch
	e.Best, e.BestEpoch, e.wait, e.StoppedEpoch, e.weights = e.w.best, e.w.bestEpoch, doc.Wait, doc.StoppedEpoch, ws
	return nil
}

type checkpointDoc struct {
	watchDoc
	KeptEpoch int  `json:"kept_epoch"`
	Weights   bool `json:"weights"`
}

// SaveState returns the best value and epoch so far and the weights kept:
// the best ones, or none for KeepLast (they are the state's own weights).
func (c *Checkpoint) SaveState() ([]byte, error) {
	ws := c.weights
	if c.Keep == KeepLast {
		ws = nil
	}
	return weightsBlob(checkpointDoc{watchDoc: watchDoc{number(c.w.best), c.w.bestEpoch}, KeptEpoch: c.kept,
		Weights: ws != nil}, ws)
}

// RestoreState puts back what SaveState returned.
func (c *Checkpoint) RestoreState(s *State, data []byte) error {
	var doc checkpointDoc
	ws, err := readWeightsBlob(data, &doc, s.Model)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if doc.Weights != (ws != nil) {
		return errors.New("checkpoint: the kept weights are missing")
	}
	c.w.best, c.w.bestEpoch, c.kept = float64(doc.Best), doc.BestEpoch, doc.KeptEpoch
	c.Best, c.BestEpoch, c.weights = c.w.best, c.w.bestEpoch, ws
	if c.Keep == KeepLast && s.Epoch > 0 {
		c.weights = snapshot(s.Model, nil)
	}
	return nil
}
