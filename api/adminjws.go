package api

import (
	"encoding/json"
	"errors"

	"github.com/goceramic/ceramic/internal/didjws"
)

// adminJWS is a verified compact JWS of an admin request.
type adminJWS struct {
	// KID is the protected header's kid, the DID URL of the signing key.
	KID string
	// Payload is the decoded JSON payload: {code, requestPath, requestBody?}.
	Payload map[string]any
}

// verifyCompactJWS checks a compact JWS signed by a did:key (see [didjws.Verify]) and
// returns its kid and JSON payload, which must be an object. The admin payload is JSON, not a
// CID, which is why the commit verifier in streams/verify is not used here.
func verifyCompactJWS(token string) (adminJWS, error) {
	tok, err := didjws.Verify(token)
	if err != nil {
		return adminJWS{}, err
	}
	var body map[string]any
	if err := json.Unmarshal(tok.Payload, &body); err != nil || body == nil {
		return adminJWS{}, errors.New("the JWS payload is not a JSON object")
	}
	return adminJWS{KID: tok.KID, Payload: body}, nil
}
