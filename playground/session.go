package playground

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

// Figures are the losses (and, for classification, accuracies) after an
// epoch: the data loss over the training and test points with dropout off
// and without the penalty, cross-entropy for classes and mean squared error
// for regression. Epoch 0 is the untrained network.
type Figures struct {
	Epoch         int      `json:"epoch"`
	TrainLoss     float64  `json:"train_loss"`
	TestLoss      float64  `json:"test_loss"`
	TrainAccuracy *float64 `json:"train_accuracy"`
	TestAccuracy  *float64 `json:"test_accuracy"`
}

// Options are a session's limits and pace.
type Options struct {
	// MaxEpochs ends training after this many epochs (default 100 000).
	MaxEpochs int
	// EpochsPerSecond caps the pace of play (0: as fast as the machine
	// goes). Steps are never held back.
	EpochsPerSecond float64
	// FrameInterval is the least time between two frames while playing
	// (default 50 ms: 20 frames per second). Every step ends with a frame.
	FrameInterval time.Duration
}

func (o Options) withDefaults() Options {
	if o.MaxEpochs <= 0 {
		o.MaxEpochs = 100_000
	}
	if o.FrameInterval <= 0 {
		o.FrameInterval = 50 * time.Millisecond
	}
	return o
}

// Errors of Step.
var (
	// ErrPlaying is returned by Step while the session plays.
	ErrPlaying = errors.New("playground: the session is playing: pause it before stepping")
	// ErrFinished is returned by Step once training has ended: the epoch
	// limit was reached, training diverged or the session was closed.
	ErrFinished = errors.New("playground: training has ended")
)

// Session is one network in training: its data, its model and the
// training run, which goes on in a goroutine of its own, one epoch at a
// time while the session plays or steps, and waits between epochs
// otherwise. It is one run of trainers.Fit from start to end, so however
// it is paused and stepped the weights after N epochs are those of Fit
// with Epochs N, bit for bit. All its methods are safe for concurrent use.
type Session struct {
	cfg   Config
	opts  Options
	data  *data
	model *models.Model
	grid  []float32 // the network's inputs at the heat map's cells

	ctx      context.Context
	cancel   context.CancelFunc
	wake     chan struct{} // a change of plan for the training goroutine
	reqs     chan func()   // work that needs the model still, run between epochs
	finished chan struct{} // closed when the training goroutine ends

	mu        sync.Mutex
	playing   bool
	budget    int  // epochs to run before waiting again
	inFlight  bool // an epoch is running
	epoch     int  // epochs completed
	history   []Figures
	frame     *Frame
	changed   chan struct{} // closed and replaced at every change
	done      bool
	err       error
	lastFrame time.Time
	lastStart time.Time
}

// NewSession generates c's data, builds its network and starts its
// training goroutine, paused at epoch 0. Close ends it.
func NewSession(c Config, opts Options) (*Session, error) {
	d, err := makeData(c)
	if err != nil {
		return nil, err
	}
	m, err := newModel(c, d)
	if err != nil {
		return nil, err
	}
	opt, err := trainers.NewOptimizer(c.Optimizer, c.LR)
	if err != nil {
		return nil, fmt.Errorf("playground: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Session{cfg: c, opts: opts.withDefaults(), data: d, model: m, grid: featurize(gridPoints(), c.Features),
		ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1), reqs: make(chan func()), finished: make(chan struct{}),
		changed: make(chan struct{})}
	first, err := s.figures(0, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	s.history = []Figures{first}
	if s.frame, err = s.buildFrame(); err != nil {
		cancel()
		return nil, err
	}
	s.frame.Seq = 1
	l1, l2 := c.penalties()
	cfg := trainers.Config{Optimizer: opt, Epochs: s.opts.MaxEpochs, BatchSize: c.Batch, L1: l1, L2: l2,
		Seed: c.Seed, Validation: d.test, Callbacks: []trainers.Callback{gate{s}}}
	go s.train(cfg)
	return s, nil
}

// newModel builds c's network for the data: an MLP on the features with
// one sigmoid output for the two classes or one linear output for
// regression, and dropout after every hidden layer.
func newModel(c Config, d *data) (*models.Model, error) {
	hidden := make([]models.Hidden, len(c.Layers))
	for i, w := range c.Layers {
		hidden[i] = models.Hidden{Units: w, Activation: c.Activation, Dropout: c.Dropout}
	}
	m, err := models.NewMLP(len(c.Features), hidden, models.OutputFor(d.train),
		models.WithSeed(c.Seed), models.WithDataInfo(d.train), models.WithName("playground"))
	if err != nil {
		return nil, fmt.Errorf("playground: %w", err)
	}
	return m, nil
}

// train is the training goroutine: one Fit for the whole session.
func (s *Session) train(cfg trainers.Config) {
	defer close(s.finished)
	_, err := fit(s.ctx, s.model, s.data, cfg)
	// The model no longer changes: the last frame can be drawn here.
	f, ferr := s.buildFrame()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done, s.playing = true, false
	switch {
	case s.ctx.Err() != nil:
		s.err = ErrFinished
	case err != nil:
		s.err = err
	case ferr != nil:
		s.err = ferr
	}
	if ferr == nil {
		s.setFrame(f)
	} else {
		s.notify()
	}
}

// fit runs trainers.Fit, turning a panic into an error: a server's
// session must not take the server down.
func fit(ctx context.Context, m *models.Model, d *data, cfg trainers.Config) (h *trainers.History, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("playground: internal error while training: %v", r)
		}
	}()
	return trainers.Fit(ctx, m, d.train, cfg)
}

// gate is the session's training callback: it holds each epoch back until
// the session plays or steps, records the epoch's figures and draws frames.
type gate struct{ s *Session }

func (g gate) OnTrainBegin(*trainers.State) error { return nil }
func (g gate) OnBatchEnd(*trainers.State) error   { return nil }
func (g gate) OnTrainEnd(*trainers.State) error   { return nil }

// OnEpochBegin waits until the session has an epoch to run, doing the
// work asked of the model meanwhile.
func (g gate) OnEpochBegin(*trainers.State) error {
	s := g.s
	for {
		s.serveRequests()
		s.mu.Lock()
		var wait time.Duration
		switch {
		case s.budget > 0:
			s.budget--
			s.inFlight, s.lastStart = true, time.Now()
			s.mu.Unlock()
			return nil
		case s.playing:
			if s.opts.EpochsPerSecond > 0 {
				wait = time.Duration(float64(time.Second)/s.opts.EpochsPerSecond) - time.Since(s.lastStart)
			}
			if wait <= 0 {
				s.inFlight, s.lastStart = true, time.Now()
				s.mu.Unlock()
				return nil
			}
		}
		s.mu.Unlock()
		var timer *time.Timer
		var tick <-chan time.Time
		if wait > 0 {
			timer = time.NewTimer(wait)
			tick = timer.C
		}
		select {
		case <-s.wake:
		case f := <-s.reqs:
			f()
		case <-tick:
		case <-s.ctx.Done():
			return context.Cause(s.ctx)
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// OnEpochEnd records the epoch's figures and draws a frame when one is
// due: at the end of a step, and every FrameInterval while playing.
func (g gate) OnEpochEnd(st *trainers.State) error {
	s := g.s
	// The session keeps its own history; emptying Fit's keeps a long
	// session's memory bounded.
	st.History.Epochs = st.History.Epochs[:0]
	fig, err := s.figures(st.Epoch, st.Logs)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.epoch, s.inFlight = st.Epoch, false
	s.history = append(s.history, fig)
	due := (s.budget == 0 && !s.playing) || time.Since(s.lastFrame) >= s.opts.FrameInterval || st.Epoch == st.Epochs
	s.notify()
	s.mu.Unlock()
	if due {
		f, err := s.buildFrame()
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.setFrame(f)
		s.mu.Unlock()
	}
	s.serveRequests()
	return nil
}

// figures evaluates the model after an epoch; logs are Fit's, holding the
// test figures as "val_" ones (nil: evaluate the test points here too).
func (s *Session) figures(epoch int, logs map[string]float64) (Figures, error) {
	tr, err := trainers.Evaluate(s.model, s.data.train)
	if err != nil {
		return Figures{}, err
	}
	test := map[string]float64{}
	for k, v := range logs {
		if name, ok := strings.CutPrefix(k, "val_"); ok {
			test[name] = v
		}
	}
	if logs == nil {
		if test, err = trainers.Evaluate(s.model, s.data.test); err != nil {
			return Figures{}, err
		}
	}
	f := Figures{Epoch: epoch, TrainLoss: tr[trainers.LossName], TestLoss: test[trainers.LossName]}
	for i, v := range []float64{f.TrainLoss, f.TestLoss} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return f, fmt.Errorf("playground: the loss on the %s points became %v after epoch %d: training diverged; try a smaller learning rate than %g",
				[]string{"training", "test"}[i], v, epoch, s.cfg.LR)
		}
	}
	if !s.data.regression {
		a, b := tr[trainers.AccuracyName], test[trainers.AccuracyName]
		f.TrainAccuracy, f.TestAccuracy = &a, &b
	}
	return f, nil
}

// serveRequests runs the work waiting for the model, without waiting for
// more.
func (s *Session) serveRequests() {
	for {
		select {
		case f := <-s.reqs:
			f()
		default:
			return
		}
	}
}

// withModel runs f while the model holds still: in the training goroutine
// between two epochs, or at once when training has ended.
func (s *Session) withModel(ctx context.Context, f func()) error {
	done := make(chan struct{})
	select {
	case s.reqs <- func() { defer close(done); f() }:
	case <-s.finished:
		f()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// notify wakes everyone waiting for a change. Callers hold s.mu.
func (s *Session) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// setFrame publishes a frame. Callers hold s.mu.
func (s *Session) setFrame(f *Frame) {
	f.Seq = s.frame.Seq + 1
	f.Playing, f.Done = s.playing, s.done
	if s.err != nil {
		f.Error = s.err.Error()
	}
	s.frame, s.lastFrame = f, time.Now()
	s.notify()
}

// poke tells the training goroutine that the plan changed.
func (s *Session) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Step trains n more epochs (1 to 10 000) and returns the figures of the
// last. It is an error while the session plays (ErrPlaying) or after
// training ended (ErrFinished, or the error that ended it). If ctx ends
// first, Step returns its error and the epochs still run.
func (s *Session) Step(ctx context.Context, n int) (Figures, error) {
	if n < 1 || n > 10_000 {
		return Figures{}, fmt.Errorf("playground: %d epochs: want 1 to 10000 per step", n)
	}
	s.mu.Lock()
	if err := s.endedLocked(); err != nil {
		s.mu.Unlock()
		return Figures{}, err
	}
	if s.playing {
		s.mu.Unlock()
		return Figures{}, ErrPlaying
	}
	target := s.epoch + s.budget + n
	if s.inFlight {
		target++
	}
	target = min(target, s.opts.MaxEpochs)
	s.budget += n
	s.mu.Unlock()
	s.poke()
	for {
		s.mu.Lock()
		if s.epoch >= target {
			f := s.history[target]
			s.mu.Unlock()
			return f, nil
		}
		if err := s.endedLocked(); err != nil {
			s.mu.Unlock()
			return Figures{}, err
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Figures{}, ctx.Err()
		}
	}
}

// endedLocked returns why training ended, or nil. Callers hold s.mu.
func (s *Session) endedLocked() error {
	if !s.done {
		return nil
	}
	if s.err != nil {
		return s.err
	}
	return fmt.Errorf("%w: the limit of %d epochs was reached", ErrFinished, s.opts.MaxEpochs)
}

// Play starts training epoch after epoch until Pause. It is an error after
// training ended.
func (s *Session) Play() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.endedLocked(); err != nil {
		return err
	}
	s.setPlayingLocked(true)
	return nil
}

// Pause stops playing and returns once the epoch running, if any, has
// ended, with the number of epochs trained. If ctx ends first, it
// returns ctx's error, and the session pauses all the same.
func (s *Session) Pause(ctx context.Context) (int, error) {
	s.mu.Lock()
	if s.done {
		defer s.mu.Unlock()
		return s.epoch, nil
	}
	s.setPlayingLocked(false)
	target := s.epoch
	if s.inFlight {
		target++
	}
	s.mu.Unlock()
	for {
		s.mu.Lock()
		epoch, done, ch := s.epoch, s.done, s.changed
		s.mu.Unlock()
		if epoch >= target || done {
			return epoch, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return epoch, ctx.Err()
		}
	}
}

// setPlayingLocked plays or pauses and tells the streams. Callers hold
// s.mu.
func (s *Session) setPlayingLocked(on bool) {
	s.playing = on
	f := *s.frame
	s.setFrame(&f)
	s.poke()
}

// Status is what the API tells of a session.
type Status struct {
	ID      string  `json:"id"`
	Config  Config  `json:"config"`
	Epoch   int     `json:"epoch"`
	Playing bool    `json:"playing"`
	Done    bool    `json:"done"`
	Error   string  `json:"error,omitempty"`
	Task    string  `json:"task"`
	Train   []Point `json:"train"`
	Test    []Point `json:"test"`
	// Command is the cmd/train command line that trains the same network
	// for the epochs done so far (at least one) on the exported CSV files.
	Command string `json:"command"`
	// History holds the figures of every epoch so far, from epoch 0.
	History []Figures `json:"history"`
}

// status returns the session's state under the given ID.
func (s *Session) status(id string) Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{ID: id, Config: s.cfg, Epoch: s.epoch, Playing: s.playing, Done: s.done,
		Task: string(s.model.Spec().Task()), Train: s.data.trainPts, Test: s.data.testPts,
		Command: Command(s.cfg, max(1, s.epoch)), History: append([]Figures(nil), s.history...)}
	if s.err != nil {
		st.Error = s.err.Error()
	}
	return st
}

// Epoch returns the number of epochs trained.
func (s *Session) Epoch() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.epoch
}

// History returns the figures of every epoch so far, from epoch 0.
func (s *Session) History() []Figures {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Figures(nil), s.history...)
}

// Model returns a copy of the network as trained so far, taken between
// two epochs.
func (s *Session) Model(ctx context.Context) (*models.Model, error) {
	var m *models.Model
	var err error
	if werr := s.withModel(ctx, func() { m, err = s.model.Clone() }); werr != nil {
		return nil, werr
	}
	return m, err
}

// Close ends training and waits for the goroutine to finish.
func (s *Session) Close() {
	s.cancel()
	<-s.finished
}

// latest returns the latest frame and a channel closed at the next change.
func (s *Session) latest() (*Frame, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frame, s.changed
}

// historyFrom returns the figures of the epochs from i on.
func (s *Session) historyFrom(i int) []Figures {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i >= len(s.history) {
		return nil
	}
	return append([]Figures(nil), s.history[i:]...)
}
