// The handlers of verifiable history: checkpoints, proofs, cosignatures.
#include <algorithm>

#include "base/merkle.h"
#include "fmt/format.h"
#include "proto/notation/secrets.h"
#include "service/domain/principals.h"
#include "service/ledger_service.h"

namespace dxledger::service {
namespace {

void SetHashes(const std::vector<std::string>& hashes,
               google::protobuf::RepeatedPtrField<std::string>* out) {
  out->Reserve(static_cast<int>(hashes.size()));
  for (const std::string& hash : hashes) *out->Add() = hash;
}

void SetProof(uint64_t position, uint64_t tree_size, ledger::Notary::Inclusion inclusion,
              v1::EventProof& proof) {
  proof.set_position(position);
  proof.set_tree_size(tree_size);
  proof.set_leaf(std::move(inclusion.leaf));
  SetHashes(inclusion.hashes, proof.mutable_hashes());
}

void WithholdLeaf(v1::EventProof& proof) {
  proof.set_leaf_hash(merkle::LeafHash(proof.leaf()));
  proof.clear_leaf();
}

}  // namespace

bool LedgerService::SeesSecrets(const Call& call) {
  return call.principal != nullptr && domain::HasRole(*call.principal, v1::ROLE_ADMIN);
}

void LedgerService::WithholdSecrets(const Call& call,
                                    google::protobuf::RepeatedPtrField<v1::Event>& events,
                                    google::protobuf::RepeatedPtrField<v1::EventProof>& proofs) {
  if (SeesSecrets(call)) return;
  std::vector<uint64_t> redacted;
  for (v1::Event& event : events) {
    if (notation::RedactSecret(event)) redacted.push_back(event.position());
  }
  if (redacted.empty()) return;
  for (v1::EventProof& proof : proofs) {
    if (std::find(redacted.begin(), redacted.end(), proof.position()) != redacted.end()) {
      WithholdLeaf(proof);
    }
  }
}

absl::Status LedgerService::AddProof(uint64_t position, uint64_t tree_size,
                                     google::protobuf::RepeatedPtrField<v1::EventProof>* proofs) {
  if (position > tree_size) return absl::OkStatus();
  absl::StatusOr<ledger::Notary::Inclusion> inclusion = notary_.ProveInclusion(position, tree_size);
  if (!inclusion.ok()) return inclusion.status();
  SetProof(position, tree_size, *std::move(inclusion), *proofs->Add());
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* LedgerService::GetCheckpoint(grpc::CallbackServerContext* context,
                                                       const v1::GetCheckpointRequest* request,
                                                       v1::GetCheckpointResponse* response) {
  Call call{context, "GetCheckpoint", "", {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  absl::StatusOr<storage::StoredCheckpoint> checkpoint = notary_.Latest(request->refresh());
  if (checkpoint.ok()) {
    response->set_signed_checkpoint(checkpoint->note);
    response->set_tree_size(checkpoint->size);
    response->set_verifier_key(notary_.VerifierKey());
  }
  return Reply(call, checkpoint.status());
}

grpc::ServerUnaryReactor* LedgerService::GetInclusionProof(
    grpc::CallbackServerContext* context, const v1::GetInclusionProofRequest* request,
    v1::GetInclusionProofResponse* response) {
  Call call{context, "GetInclusionProof", fmt::format("{}", request->position()), {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  absl::StatusOr<ledger::Notary::Inclusion> inclusion =
      notary_.ProveInclusion(request->position(), request->tree_size());
  if (inclusion.ok()) {
    SetProof(request->position(), request->tree_size(), *std::move(inclusion),
             *response->mutable_proof());
    if (!SeesSecrets(call)) {
      v1::Event event;
      const std::string& leaf = response->proof().leaf();
      if (leaf.size() >= 8 &&
          event.ParseFromArray(leaf.data() + 8, static_cast<int>(leaf.size() - 8)) &&
          notation::CarriesSecret(event)) {
        WithholdLeaf(*response->mutable_proof());
      }
    }
  }
  return Reply(call, inclusion.status());
}

grpc::ServerUnaryReactor* LedgerService::GetConsistencyProof(
    grpc::CallbackServerContext* context, const v1::GetConsistencyProofRequest* request,
    v1::GetConsistencyProofResponse* response) {
  Call call{context, "GetConsistencyProof", "", {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  absl::StatusOr<std::vector<std::string>> hashes =
      notary_.ProveConsistency(request->from_tree_size(), request->to_tree_size());
  if (hashes.ok()) SetHashes(*hashes, response->mutable_hashes());
  return Reply(call, hashes.status());
}

grpc::ServerUnaryReactor* LedgerService::AddCosignature(grpc::CallbackServerContext* context,
                                                        const v1::AddCosignatureRequest* request,
                                                        v1::AddCosignatureResponse*) {
  Call call{context, "AddCosignature", "", {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  return Reply(call,
               notary_.AddCosignature(request->witness_key(), request->cosigned_checkpoint()));
}

}  // namespace dxledger::service
