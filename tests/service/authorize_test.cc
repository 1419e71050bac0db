// The role table is declared on the methods in ledger.proto: every method
// has one, and a method without one keeps the server from starting.
#include "service/authorize.h"

#include <gtest/gtest.h>

#include "dxledger/v1/access.pb.h"
#include "google/protobuf/descriptor.pb.h"

namespace dxledger::service {
namespace {

v1::Principal WithRoles(std::initializer_list<v1::Role> roles) {
  v1::Principal principal;
  principal.set_principal("someone");
  for (v1::Role role : roles) principal.add_roles(role);
  return principal;
}

TEST(AuthorizeTest, EveryMethodOfTheServiceDeclaresItsRoles) {
  const google::protobuf::ServiceDescriptor& service = LedgerServiceDescriptor();
  EXPECT_TRUE(CheckEveryMethodHasARule(service).ok());
  ASSERT_GE(service.method_count(), 32);
  for (int i = 0; i < service.method_count(); ++i) {
    const std::string& rpc = service.method(i)->name();
    // Someone may call it, and not everyone who may not is let through.
    const v1::Principal all = WithRoles(
        {v1::ROLE_ADMIN, v1::ROLE_HQ, v1::ROLE_EDITOR, v1::ROLE_AUDITOR, v1::ROLE_INTEGRATION});
    EXPECT_TRUE(AllowCall(all, rpc).ok()) << rpc;
    EXPECT_EQ(AllowCall(WithRoles({}), rpc).code(), absl::StatusCode::kPermissionDenied) << rpc;
  }
}

TEST(AuthorizeTest, TheTableIsTheOneTheReadmeStates) {
  const v1::Principal hq = WithRoles({v1::ROLE_HQ});
  const v1::Principal editor = WithRoles({v1::ROLE_EDITOR});
  const v1::Principal auditor = WithRoles({v1::ROLE_AUDITOR});
  EXPECT_TRUE(AllowCall(hq, "CreateGoal").ok());
  EXPECT_EQ(AllowCall(hq, "SetRating").message(),
            "principal someone may not call SetRating: it needs the role editor");
  EXPECT_TRUE(AllowCall(editor, "SetRating").ok());
  EXPECT_TRUE(ScopedToDepartments("SetRating"));
  EXPECT_FALSE(ScopedToDepartments("CreateGoal"));
  EXPECT_TRUE(AllowCall(auditor, "ListSecurityEvents").ok());
  EXPECT_EQ(AllowCall(auditor, "CreateBackup").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(AllowCall(hq, "NoSuchMethod").code(), absl::StatusCode::kInternal);
}

TEST(AuthorizeTest, AMethodWithoutRolesIsRefused) {
  // The service as declared, with one method's option taken away.
  google::protobuf::FileDescriptorProto file;
  LedgerServiceDescriptor().file()->CopyTo(&file);
  file.set_name("test/ledger_without_a_rule.proto");
  file.set_package("dxledger.test");
  file.clear_message_type();
  file.clear_enum_type();
  // The messages now come from ledger.proto and the files it imports.
  file.add_dependency("dxledger/v1/ledger.proto");
  google::protobuf::ServiceDescriptorProto& service = *file.mutable_service(0);
  for (google::protobuf::MethodDescriptorProto& method : *service.mutable_method()) {
    method.set_input_type(".dxledger.v1" +
                          method.input_type().substr(method.input_type().rfind('.')));
    method.set_output_type(".dxledger.v1" +
                           method.output_type().substr(method.output_type().rfind('.')));
  }
  google::protobuf::DescriptorPool pool(google::protobuf::DescriptorPool::generated_pool());
  const google::protobuf::FileDescriptor* built = pool.BuildFile(file);
  ASSERT_NE(built, nullptr);
  EXPECT_TRUE(CheckEveryMethodHasARule(*built->service(0)).ok());

  service.mutable_method(5)->clear_options();
  file.set_name("test/ledger_without_a_rule_2.proto");
  file.set_package("dxledger.test2");
  built = pool.BuildFile(file);
  ASSERT_NE(built, nullptr);
  absl::Status status = CheckEveryMethodHasARule(*built->service(0));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "dxledger.test2.LedgerService.SetRating declares no roles: give it option (access) = "
            "{roles: [...]} in its .proto");
}

}  // namespace
}  // namespace dxledger::service
