Feature: Federation or presence accounts: what Nimbus sees of an agent
  Nimbus asks Teams for presence through federation, like an external user,
  and gets only the user-configured level: "Busy" whether the agent is in a
  call or in a meeting. With Busy distributed, an agent already in a call can
  be offered a second call. Presence accounts (guest users in the tenant) read
  presence like a member of the organisation, so Nimbus never offers a call to
  an agent in a call, while agents Busy by hand or by calendar still get calls
  (seed 003, "Presence Tracking in Luware Nimbus").

  Background:
    Given it is 09:00
    And bob is signed in to Teams on desktop
    And dave is signed in to Teams on desktop
    And a Nimbus service "Support" with the agent bob
    And the Conversations Distribution of "Support" is:
      | Available      | Distributed to the user     |
      | Busy *         | Distributed to the user     |
      | Do not Disturb | NOT distributed to the user |
      | Away *         | NOT distributed to the user |
      | Offline        | NOT distributed to the user |

  @NB-3 @T-FED-1
  Scenario: Through federation an agent in a call reads as plain Busy
    When bob and dave are in a Teams call
    Then bob's presence is Busy/InACall
    And Nimbus reads presence through federation
    And Nimbus reads bob as Busy

  @NB-4 @T-FED-1
  Scenario: Through a presence account Nimbus reads the call
    Given Nimbus has the presence account "nimbus-pa1"
    When bob and dave are in a Teams call
    Then Nimbus reads presence through the presence account "nimbus-pa1"
    And Nimbus reads bob as Busy/InACall

  @NB-3 @NB-4 @T-FED-1 @T-CALL-1 @T-CAL-1 @T-MAN-1
  Scenario Outline: What Nimbus reads of an agent <situation>, through federation and through a presence account
    When <action>
    Then bob's presence is <Teams>
    And Nimbus reads bob as <federation>
    And for bob a call in "Support" is <with federation>
    Given Nimbus has the presence account "nimbus-pa1"
    Then Nimbus reads bob as <presence account>
    And for bob a call in "Support" is <with a presence account>

    Examples:
      | situation             | action                                | Teams           | federation | presence account | with federation         | with a presence account     |
      | in a call             | bob and dave are in a Teams call      | Busy/InACall    | Busy       | Busy/InACall     | Distributed to the user | NOT distributed to the user |
      | Busy by hand          | bob sets his status to Busy           | Busy            | Busy       | Busy             | Distributed to the user | Distributed to the user     |
      | in a calendar meeting | bob has a meeting from 09:00 to 10:00 | Busy/InAMeeting | Busy       | Busy/InAMeeting  | Distributed to the user | Distributed to the user     |
      | in a Teams meeting    | bob joins a Teams meeting             | Busy/InAMeeting | Busy       | Busy/InAMeeting  | Distributed to the user | Distributed to the user     |
      | Available             | bob uses his desktop client           | Available       | Available  | Available        | Distributed to the user | Distributed to the user     |

  @NB-3 @T-CALL-1
  Scenario: The double-call hazard: with federation and Busy distributed, an agent in a call gets a second call
    Given bob and dave are in a Teams call
    When a call arrives at "Support"
    Then Nimbus offers the call to bob
    And bob is already in a Teams call

  @NB-4 @T-CALL-1
  Scenario: Presence accounts avoid the second call; the call waits until the first one ends
    Given Nimbus has the presence account "nimbus-pa1"
    And bob and dave are in a Teams call
    When a call arrives at "Support"
    Then Nimbus offers the call to no agent
    And bob is not eligible for "Support" by NB-4
    When the call ends
    Then Nimbus offers the call to bob

  @NB-3 @NB-2
  Scenario: Federation with Busy not distributed avoids the second call but skips every Busy agent
    Given the Conversations Distribution of "Support" sets "Busy *" to "NOT distributed to the user"
    And bob and dave are in a Teams call
    When a call arrives at "Support"
    Then Nimbus offers the call to no agent
    When bob sets his status to Busy
    And the call ends
    Then Nimbus offers the call to no agent
    And bob is not eligible for "Support" by NB-2

  @NB-4 @T-MAN-1
  Scenario: An agent Busy by hand still gets calls through a presence account
    Given Nimbus has the presence account "nimbus-pa1"
    When bob sets his status to Busy
    Then Nimbus reads bob as Busy
    When a call arrives at "Support"
    Then Nimbus offers the call to bob

  @NB-4 @T-CAL-1
  Scenario: An agent Busy by calendar still gets calls through a presence account
    Given Nimbus has the presence account "nimbus-pa1"
    And bob has a meeting from 10:00 to 11:00
    When it is 10:00
    Then bob's presence is Busy/InAMeeting
    And Nimbus reads bob as Busy/InAMeeting
    When a call arrives at "Support"
    Then Nimbus offers the call to bob

  @NB-3 @T-CAL-1
  Scenario: Through federation a calendar meeting reads as plain Busy too
    Given bob has a meeting from 10:00 to 11:00
    When it is 10:00
    Then Nimbus reads bob as Busy
    And bob is eligible for "Support"

  @NB-4 @T-CALL-1
  Scenario: A conference call is never distributed to either
    Given Nimbus has the presence account "nimbus-pa1"
    And carol is signed in to Teams on desktop
    When bob, dave and carol are in a conference call
    Then Nimbus reads bob as Busy/InAConferenceCall
    And bob is not eligible for "Support" by NB-4

  @NB-2 @NB-4 @T-FED-1
  Scenario Outline: An agent <state> is not distributed to, whichever way Nimbus reads
    When <action>
    Then Nimbus reads bob as <federated>
    And bob is not eligible for "Support" by NB-2
    Given Nimbus has the presence account "nimbus-pa1"
    Then Nimbus reads bob as <internal>
    And bob is not eligible for "Support" by NB-2

    Examples:
      | state            | action                               | federated    | internal                |
      | Away             | bob sets his status to Away          | Away         | Away                    |
      | with the PC lock | bob locks his computer               | Away         | Away                    |
      | BeRightBack      | bob sets his status to BeRightBack   | BeRightBack  | BeRightBack             |
      | DoNotDisturb     | bob sets his status to DoNotDisturb  | DoNotDisturb | DoNotDisturb            |
      | presenting       | bob starts presenting                | DoNotDisturb | DoNotDisturb/Presenting |
      | Offline          | bob signs out of every Teams client  | Offline      | Offline                 |

  @NB-2 @NB-4 @T-FED-3
  Scenario: Privacy mode hides an agent from federation, not from a presence account
    When bob turns privacy mode on
    Then Nimbus reads bob as PresenceUnknown
    And bob is not eligible for "Support" by NB-2
    Given Nimbus has the presence account "nimbus-pa1"
    Then Nimbus reads bob as Available
    And bob is eligible for "Support"
