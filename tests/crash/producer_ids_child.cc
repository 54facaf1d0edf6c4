// producer_ids_child DATA_DIR: opens a LogStore in DATA_DIR and writes every producer id it
// hands out to stdout (8 bytes each, native byte order) until it is killed.
// idempotent_producer_kill9_test kills it with SIGKILL and checks no id is handed out again.
#include <unistd.h>

#include "storage/log_store.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto store = brook::storage::LogStore::Open(brook::storage::StoreOptions{.data_dir = argv[1]});
  if (!store.ok()) return 3;
  for (;;) {
    auto id = (*store)->InitProducerId();
    if (!id.ok() || ::write(STDOUT_FILENO, &id->producer_id.value, 8) != 8) return 4;
  }
}
