package api

import (
	"errors"
	"net/http"

	"github.com/goceramic/ceramic/streams"
)

// The /pins answers of the js daemon 3.x: pinning moved to the authenticated admin API.
const (
	msgLegacyPins     = "Method not supported: pin requests have moved to the admin API /admin/pins"
	msgLegacyPinsWarn = "Pin requests have moved to the admin API /admin/pins, please make requests there. Any requests here will not pin, API returns 200 for tooling backwards compatibility, and will be removed soon."
)

// errLegacyPins answers GET /pins, GET /pins/{streamid} and DELETE /pins/{streamid}.
var errLegacyPins = BadRequest(errors.New(msgLegacyPins))

// legacyPins serves GET and DELETE on /pins as the js daemon 3.x does: 400.
func (h *handler) legacyPins(http.ResponseWriter, *http.Request) error { return errLegacyPins }

// legacyPinAdd serves POST /pins/{streamid} as the js daemon 3.x does: 200 with a warning,
// pinning nothing.
func (h *handler) legacyPinAdd(w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"warn": msgLegacyPinsWarn})
}

// getDocument serves the 2.x GET /documents/{docid}: {"docId", "state"}.
func (h *handler) getDocument(w http.ResponseWriter, r *http.Request) error {
	id, st, err := h.loadRef(r.Context(), pathParam(r, "docid"), h.parseOpts(parseQuery(r.URL.Query())))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		DocID string         `json:"docId"`
		State *streams.State `json:"state"`
	}{id.String(), st})
}

// createDocument serves the 2.x POST /documents {doctype, genesis, docOpts}:
// {"streamId", "docId", "state"}.
func (h *handler) createDocument(w http.ResponseWriter, r *http.Request) error {
	id, st, err := h.create(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, stateResponse{StreamID: id.String(), DocID: id.String(), State: st})
}
