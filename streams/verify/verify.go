package verify

import (
	"time"

	"github.com/ipfs/go-cid"
)

// JWS is the single signature of a signed commit, as stored in its dag-jose
// envelope block.
type JWS struct {
	// Protected is the raw protected-header JSON.
	Protected []byte
	// Payload is the binary CID of the commit payload block.
	Payload []byte
	// Signature is the raw signature.
	Signature []byte
}

// Request is everything [Verify] needs to decide whether a signed commit may
// be applied to a stream. All fields are plain data; Verify does no I/O.
type Request struct {
	// JWS is the commit's signature.
	JWS JWS

	// CACAO is the dag-cbor CACAO block named by the protected header's
	// "cap" field, or nil when the header names none. [CapabilityCID] tells
	// which block to fetch.
	CACAO []byte
	// CACAOCID is the CID of CACAO. The caller has checked that the block
	// hashes to it. Undefined is allowed; when set it must equal the CID
	// named by "cap".
	CACAOCID cid.Cid

	// Controller is the DID the signer must act for: the stream's
	// controllers[0] (for a TileDocument update, the pending controller
	// next.metadata.controllers[0] if there is one). For a genesis commit it
	// is the controller in the genesis header.
	Controller string
	// StreamID is the base StreamID string of the stream being written,
	// also for a genesis commit (stream type plus the genesis envelope CID).
	// It is required when CACAO is set.
	StreamID string
	// Model is the stream's model StreamID string: metadata.model of a
	// ModelInstanceDocument, the Model.MODEL constant for a Model stream,
	// "" for a TileDocument.
	Model string

	// Now is the current time; zero means time.Now().
	Now time.Time
	// AtTime, when set, is the time of the first anchor that covers the
	// commit (its log timestamp). The capability time checks (iat, nbf, exp)
	// are then made at AtTime instead of Now; see the package documentation.
	AtTime *time.Time
}

// Result describes a commit that passed verification.
type Result struct {
	// SignerDID is the DID that made the JWS signature (the kid without its
	// fragment): the controller itself, or the session key a capability was
	// issued to.
	SignerDID string
	// KID is the full key id from the protected header.
	KID string
	// CapabilityExpires is the capability's exp, when the commit carries a
	// capability with a readable exp. The stream engine stores it as the
	// log entry's expirationTime (see [LogExpirationTime]) and applies
	// [CheckLogExpiry].
	CapabilityExpires *time.Time
}

// Verify checks that a signed commit was signed by, or on behalf of, the
// stream controller. It returns a [*Error] or [*TimeError] that matches one
// of the package's sentinel errors when the commit must be rejected.
//
// Verify never panics, whatever the input.
func Verify(r Request) (Result, error) {
	if len(r.JWS.Protected) == 0 || len(r.JWS.Payload) == 0 || len(r.JWS.Signature) == 0 {
		return Result{}, malformed("the JWS needs a protected header, a payload and a signature")
	}
	if r.Controller == "" {
		return Result{}, malformed("the stream has no controller")
	}
	h, err := parseHeader(r.JWS.Protected)
	if err != nil {
		return Result{}, err
	}
	payload, err := cid.Cast(r.JWS.Payload)
	if err != nil {
		return Result{}, &Error{Kind: ErrMalformed, Reason: "the JWS payload is not a CID", Err: err}
	}

	// The capability block and its resource check come first, whoever
	// signed.
	var capab *capability
	switch {
	case h.cap != "":
		named, err := capCID(h.cap)
		if err != nil {
			return Result{}, err
		}
		if r.CACAO == nil {
			return Result{}, malformed("the protected header names capability %s but its block was not supplied", named)
		}
		if r.CACAOCID.Defined() && !r.CACAOCID.Equals(named) {
			return Result{}, malformed("the supplied CACAO block %s is not the capability %s named by the protected header", r.CACAOCID, named)
		}
		if r.StreamID == "" {
			return Result{}, malformed("a stream ID is needed to check the capability's resources")
		}
		if capab, err = decodeCapability(r.CACAO); err != nil {
			return Result{}, err
		}
		if err := capab.checkResources(r.StreamID, payload.String(), r.Model); err != nil {
			return Result{}, err
		}
	case r.CACAO != nil:
		return Result{}, malformed("a CACAO block was supplied but the protected header has no cap")
	}

	kid, ok := parseDIDURL(h.kid)
	if !ok {
		return Result{}, malformed("the protected header kid %q is not a DID URL", h.kid)
	}
	key, err := resolveSigner(kid)
	if err != nil {
		return Result{}, err
	}

	switch {
	case capab != nil && issuerMatches(r.Controller, capab.iss) && kid.DID == capab.aud:
		if err := capab.verify(r.checkTime()); err != nil {
			return Result{}, err
		}
	case kid.DID == r.Controller:
		// The controller signed directly; a capability, if any, only had its
		// resources checked.
	default:
		if m := didMethod(r.Controller); m != "key" && m != "pkh" {
			return Result{}, unsupported("the stream controller %s uses a DID method this node cannot resolve", r.Controller)
		}
		if capab == nil {
			return Result{}, unauthorized("signer %s is not the stream controller %s", kid.DID, r.Controller)
		}
		if kid.DID != capab.aud {
			return Result{}, unauthorized("signer %s is not the audience %s of the capability", kid.DID, capab.aud)
		}
		return Result{}, unauthorized("capability issuer %s is not the stream controller %s", capab.iss, r.Controller)
	}

	if err := checkJWSSignature(h.alg, key, signingInput(r.JWS), r.JWS.Signature); err != nil {
		return Result{}, err
	}
	res := Result{SignerDID: kid.DID, KID: h.kid}
	if capab != nil {
		res.CapabilityExpires = capab.expires()
	}
	return res, nil
}

// checkTime is the time the capability time checks are made at.
func (r Request) checkTime() time.Time {
	switch {
	case r.AtTime != nil:
		return *r.AtTime
	case r.Now.IsZero():
		return time.Now()
	}
	return r.Now
}

// CapabilityCID returns the CID of the CACAO block named by the "cap" field
// of a protected header, and false when the header names none. The caller
// fetches that block (at most [MaxBlockSize] bytes) and passes it to
// [Verify] as Request.CACAO.
func CapabilityCID(protected []byte) (cid.Cid, bool, error) {
	h, err := parseHeader(protected)
	if err != nil {
		return cid.Undef, false, err
	}
	if h.cap == "" {
		return cid.Undef, false, nil
	}
	c, err := capCID(h.cap)
	if err != nil {
		return cid.Undef, false, err
	}
	return c, true, nil
}

// LogExpirationTime converts a capability expiry to the expirationTime of a
// stream log entry: whole seconds since the epoch, rounded down.
func LogExpirationTime(expires time.Time) int64 {
	ms := expires.UnixMilli()
	s := ms / 1000
	if ms%1000 < 0 {
		s--
	}
	return s
}

// CheckLogExpiry applies the state-level capability expiry check to one
// stream log entry. expirationTime is the entry's expirationTime (0 = none)
// and timestamp its anchor timestamp (0 = not anchored yet), both in seconds
// since the epoch. The entry is expired when expirationTime is earlier than
// timestamp, or than now (in whole seconds) when the entry is not anchored.
// Unlike the checks made by [Verify], there is no grace period.
//
// The stream engine runs it for every log entry after applying a log and
// whenever it loads a stream; an error makes the whole state unusable until
// the stream is synced again, which drops the commits that fail.
func CheckLogExpiry(expirationTime, timestamp int64, now time.Time) error {
	if expirationTime == 0 {
		return nil
	}
	at := timestamp
	if at == 0 {
		at = LogExpirationTime(now)
	}
	if expirationTime < at {
		return &TimeError{Kind: ErrExpired, Field: "expirationTime", Value: time.Unix(expirationTime, 0).UTC(), At: time.Unix(at, 0).UTC()}
	}
	return nil
}
