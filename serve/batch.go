package serve

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// errClosed answers the requests that come after Close.
var errClosed = errors.New("serve: the server is closed")

// job is one request's samples, waiting to be predicted.
type job struct {
	sv     *served
	x      []float32
	n      int
	logits []float32
	err    error
	done   chan struct{}
	// gone says the request stopped waiting (its deadline passed, or its
	// client left), so a batch not yet run leaves it out.
	gone atomic.Bool
}

// batcher runs a model's predictions on a few worker goroutines. A worker
// takes the oldest waiting request and, with it, the requests waiting
// behind it, up to maxBatch samples, and predicts them in one call: under
// load, small requests share the cost of a graph run.
//
// Requests are counted from their arrival (before their body is read and
// parsed) until a worker takes them. While some are still on their way, a
// worker that has a batch waits up to window for them to fill it: the
// parsing of the requests that arrived together takes longer than a small
// prediction, so without waiting, workers would mostly predict one request
// at a time. A request alone waits for nobody.
type batcher struct {
	queue    chan *job
	quit     chan struct{}
	window   time.Duration
	maxBatch int
	// coming counts the requests that arrived and are not yet taken by a
	// worker.
	coming atomic.Int64
	// observe records each batch run: its samples and requests.
	observe func(samples, requests int)
	wg      sync.WaitGroup
	once    sync.Once
}

func newBatcher(workers, maxBatch int, window time.Duration, observe func(samples, requests int)) *batcher {
	b := &batcher{queue: make(chan *job), quit: make(chan struct{}), window: window, maxBatch: maxBatch, observe: observe}
	b.wg.Add(workers)
	for range workers {
		go b.work()
	}
	return b
}

// close stops the workers once they have finished their batches.
func (b *batcher) close() {
	b.once.Do(func() { close(b.quit) })
	b.wg.Wait()
}

// ticket is a request on its way to the batcher, counted from its
// arrival.
type ticket struct {
	b    *batcher
	sent bool
}

// arrive counts a request that will (likely) come to predict. The handler
// calls done when it returns: it uncounts a request that never came.
func (b *batcher) arrive() *ticket {
	b.coming.Add(1)
	return &ticket{b: b}
}

func (t *ticket) done() {
	if !t.sent {
		t.sent = true
		t.b.coming.Add(-1)
	}
}

// predict queues j and waits until its logits are computed or ctx ends.
func (b *batcher) predict(ctx context.Context, t *ticket, j *job) error {
	j.done = make(chan struct{})
	select {
	case b.queue <- j:
		t.sent = true // the worker that took it uncounted it
	case <-ctx.Done():
		return ctx.Err()
	case <-b.quit:
		return errClosed
	}
	select {
	case <-j.done:
		return j.err
	case <-ctx.Done():
		j.gone.Store(true)
		return ctx.Err()
	}
}

func (b *batcher) work() {
	defer b.wg.Done()
	var next *job // taken from the queue but not fit for the last batch
	var timer *time.Timer
	for {
		first := next
		next = nil
		if first == nil {
			select {
			case first = <-b.queue:
				b.coming.Add(-1)
			case <-b.quit:
				return
			}
		}
		batch, n := []*job{first}, first.n
		var deadline <-chan time.Time
	collect:
		for n < b.maxBatch {
			var j *job
			select {
			case j = <-b.queue:
				b.coming.Add(-1)
			default:
				// None waiting: wait for those on their way, if any,
				// until the window closes.
				if b.window <= 0 || b.coming.Load() <= 0 {
					break collect
				}
				if deadline == nil {
					if timer == nil {
						timer = time.NewTimer(b.window)
					} else {
						timer.Reset(b.window)
					}
					deadline = timer.C
				}
				select {
				case j = <-b.queue:
					b.coming.Add(-1)
				case <-deadline:
					deadline = nil
					break collect
				case <-b.quit:
					break collect
				}
			}
			if j.sv != first.sv || n+j.n > b.maxBatch {
				next = j
				break collect
			}
			batch = append(batch, j)
			n += j.n
		}
		if deadline != nil {
			timer.Stop() // since Go 1.23, no stale tick is left to drain
		}
		b.run(batch)
	}
}

// run predicts a batch of requests of one model in one call and hands each
// its share of the logits.
func (b *batcher) run(batch []*job) {
	live := batch[:0]
	n := 0
	for _, j := range batch {
		if j.gone.Load() {
			close(j.done)
			continue
		}
		live = append(live, j)
		n += j.n
	}
	if len(live) == 0 {
		return
	}
	sv := live[0].sv
	x := live[0].x
	if len(live) > 1 {
		x = make([]float32, 0, n*sv.model.InputDim())
		for _, j := range live {
			x = append(x, j.x...)
		}
	}
	logits, err := predictSafely(sv, x)
	if b.observe != nil {
		b.observe(n, len(live))
	}
	units := sv.spec.Units()
	off := 0
	for _, j := range live {
		if err != nil {
			j.err = err
		} else {
			j.logits = logits[off : off+j.n*units : off+j.n*units]
			off += j.n * units
		}
		close(j.done)
	}
}

// predictSafely returns the model's logits, turning a panic into an
// error: one bad batch must not take the server down.
func predictSafely(sv *served, x []float32) (logits []float32, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("serve: model %s: prediction panicked: %v", sv.name, r)
		}
	}()
	return sv.model.Logits(x)
}
