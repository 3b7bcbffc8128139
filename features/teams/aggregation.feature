@T-SRC-2
Feature: Aggregation of presence sessions
  Teams keeps one presence session per client and per application and shows
  the combination (seed 002, Graph setPresence). User-configured presence
  overrides every session; among sessions DoNotDisturb > Busy > Available > Away.

  Background:
    Given the users alice and bob

  @T-AGG-2
  Scenario Outline: Among app-configured sessions the higher-ranked availability wins
    Given the app "first" sets alice's presence to <first> for 1 hour
    And the app "second" sets alice's presence to <second> for 1 hour
    Then alice's presence is <shown>
    And alice's presence was decided by T-AGG-2

    Examples:
      | first                   | second                   | shown                   |
      | DoNotDisturb/Presenting | Busy/InACall             | DoNotDisturb/Presenting |
      | Busy/InACall            | DoNotDisturb/Presenting  | DoNotDisturb/Presenting |
      | Busy/InACall            | Available                | Busy/InACall            |
      | Available               | Busy/InAConferenceCall   | Busy/InAConferenceCall  |
      | Available               | Away                     | Available               |
      | Away                    | Available                | Available               |
      | Away                    | Busy/InACall             | Busy/InACall            |
      | DoNotDisturb/Presenting | Away                     | DoNotDisturb/Presenting |
