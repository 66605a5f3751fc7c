// Package playground is the TensorFlow Playground on dlgo: a page where a
// student picks a 2-D data set, the features, the layers, an activation, an
// optimiser, a learning rate and a penalty, presses play, and watches the
// decision boundary and every neuron change epoch by epoch. The network is
// a real dlgo model (models.NewMLP) trained by dlgo's one training loop
// (trainers.Fit) on Gorgonia graphs, with the loss that fits the task
// (cross-entropy for classes, mean squared error for regression), Adam and
// momentum besides SGD, dropout, L1 and L2.
//
// A Session is one network in training. Its training goroutine runs one
// trainers.Fit from the first epoch to the last and waits between epochs
// until the session plays or steps, so a session stepped, played and paused
// in any way ends, after N epochs, with the weights of one Fit of N
// epochs, bit for bit; and Command gives the cmd/train command line that
// reaches the same weights from the exported points.
//
// A Server serves the page (embedded: no CDN, no network) and the JSON API
// it uses, one session per browser tab:
//
//	GET    /api/options                  defaults, choices and limits
//	POST   /api/sessions                 a Config → the session's Status (201)
//	GET    /api/sessions/{id}            its Status: config, epoch, points, command, history
//	POST   /api/sessions/{id}/step       {"epochs": N} → Figures of the last epoch
//	POST   /api/sessions/{id}/play       train epoch after epoch
//	POST   /api/sessions/{id}/pause      stop; answers once the running epoch has ended
//	GET    /api/sessions/{id}/events     server-sent "frame" events (Frame)
//	GET    /api/sessions/{id}/model.dlgo the network as trained so far
//	GET    /api/sessions/{id}/train.csv  the training points (test.csv: the test points)
//	DELETE /api/sessions/{id}            close the session
//
// Errors are {"error": "..."} with status 400 for a bad configuration or
// request (the message names the field), 404 for an unknown session, 409
// for a step while playing or after training ended, and 503 when the
// server holds its most sessions. The server bounds the sessions, the
// points and the network (MaxLayers, MaxNeurons), and frees a session
// idle for ServerOptions.IdleTimeout.
package playground
